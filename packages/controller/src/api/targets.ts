// Which hosts a test would load, and whether the installation allows them. The archive's own
// `targets` list comes from the client, so the controller also scans the bundled script for
// absolute http(s) URL literals in the test's own code (not in bundled npm packages). This is a
// pre-flight check; the load workers enforce the allow-list on every request.
import { isLoopbackHost } from '@stampede/engine/results';
import { isIPv6 } from 'node:net';

/** What decides whether a target is allowed (ControllerConfig's fields). */
export interface TargetPolicy {
  /** Entries "host" (any port) or "host:port"; IPv6 as "[::1]:8080" or bare. */
  allowTargets: readonly string[];
  /** Also allow 127.0.0.0/8, ::1 and localhost. */
  allowLoopback: boolean;
}

/** One module section of an esbuild bundle: `path` from its `// path` marker, null before the first. */
export interface ScriptSection {
  path: string | null;
  text: string;
}

/** Splits an esbuild bundle at its module markers: a `// path` line after a blank line. */
export function splitScriptSections(script: string): ScriptSection[] {
  const lines = script.split('\n');
  const sections: ScriptSection[] = [];
  let path: string | null = null;
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const afterBlank = i === 0 || (lines[i - 1] ?? '').trim() === '';
    if (afterBlank && line.startsWith('// ') && line.length > 3) {
      sections.push({ path, text: lines.slice(start, i).join('\n') });
      path = line.slice(3).trim();
      start = i + 1;
    }
  }
  sections.push({ path, text: lines.slice(start).join('\n') });
  return sections.filter((s) => s.text.trim() !== '' || s.path !== null);
}

/** Whether a section is the test's own code: not a bundled npm package, not Stampede's API shim. */
export function isOwnCode(path: string | null): boolean {
  if (path === null) return true;
  return !/(^|[/\\])node_modules[/\\]/.test(path) && !path.startsWith('stampede-api:');
}

/** The "host:port" of an absolute http(s) URL (default ports filled in), or null. */
export function targetOfUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.toLowerCase()}:${port}`;
}

const URL_START = /(["'`])(https?:\/\/)/gi;

// Reads a string literal from `from` until its closing quote; a template literal also stops at
// `${`, and then `dynamic` says the rest of the URL is computed.
function readLiteral(
  text: string,
  from: number,
  quote: string,
): { value: string; dynamic: boolean } {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === quote || c === '\\' || (c === '\n' && quote !== '`')) break;
    if (quote === '`' && c === '$' && text[i + 1] === '{') {
      return { value: text.slice(from, i), dynamic: true };
    }
    i++;
  }
  return { value: text.slice(from, i), dynamic: false };
}

/** The targets ("host:port") of absolute http(s) URL literals in `code`; URLs whose host is computed are skipped. */
export function scanCodeTargets(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(URL_START)) {
    const quote = m[1] ?? '"';
    const scheme = m[2] ?? '';
    const start = (m.index ?? 0) + quote.length;
    const { value, dynamic } = readLiteral(code, start, quote);
    const rest = value.slice(scheme.length);
    // A template such as `https://${host}/` or `https://api-${env}.example.com` names no fixed host.
    if (dynamic && !/[/?#]/.test(rest)) continue;
    const target = targetOfUrl(value);
    if (target !== null) found.add(target);
  }
  return [...found];
}

/** The targets named by URL literals in the test's own code of a bundled script, sorted. */
export function scanScriptTargets(script: string): string[] {
  const found = new Set<string>();
  for (const section of splitScriptSections(script)) {
    if (!isOwnCode(section.path)) continue;
    for (const t of scanCodeTargets(section.text)) found.add(t);
  }
  return [...found].sort();
}

/** The targets of environment values that are absolute http(s) URLs (`--env TARGET=http://…`), sorted. */
export function envTargets(env: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  for (const value of Object.values(env)) {
    if (!/^https?:\/\//i.test(value.trim())) continue;
    const t = targetOfUrl(value.trim());
    if (t !== null) found.add(t);
  }
  return [...found].sort();
}

/** A target or allow-list entry split into a normalized host (no brackets) and an optional port; null if malformed. */
export function splitTarget(text: string): { host: string; port: string | undefined } | null {
  const t = text.trim();
  if (isIPv6(t)) return { host: normalizeHost(t), port: undefined };
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:/\s[\]@]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m || m[1] === undefined) return null;
  const host = normalizeHost(m[1]);
  return host === '' ? null : { host, port: m[2] };
}

function normalizeHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  try {
    // The URL parser canonicalizes IPv4 (127.1 → 127.0.0.1) and IPv6 spellings and lowercases names.
    const hostname = new URL(`http://${isIPv6(bare) ? `[${bare}]` : bare}/`).hostname;
    return hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** Whether the policy allows `target` ("host", "host:port"); a malformed target is refused. */
export function isTargetAllowed(target: string, policy: TargetPolicy): boolean {
  const t = splitTarget(target);
  if (t === null) return false;
  if (policy.allowLoopback && isLoopbackHost(t.host)) return true;
  return policy.allowTargets.some((entry) => {
    const e = splitTarget(entry);
    return e !== null && e.host === t.host && (e.port === undefined || e.port === t.port);
  });
}

/** The targets the policy refuses, in the order given, without repeats. */
export function disallowedTargets(targets: Iterable<string>, policy: TargetPolicy): string[] {
  return [...new Set(targets)].filter((t) => !isTargetAllowed(t, policy));
}

/** Whether a URL host is a loopback address or name (the engine's rule, re-exported). */
export { isLoopbackHost };
