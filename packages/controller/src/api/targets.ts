// Which hosts a test would load, and whether the installation allows them. The archive's own
// `targets` list comes from the client, so the controller also scans the bundled script for
// absolute http(s) URL literals in the test's own code (not in bundled npm packages). This is a
// pre-flight check; the load workers enforce the allow-list on every request.
import {
  isLoopbackHost,
  scanBundleTargets,
  scanCodeTargets,
  targetOfUrl,
} from '@stampede/engine/results';
import { isIPv6 } from 'node:net';

/** What decides whether a target is allowed (ControllerConfig's fields). */
export interface TargetPolicy {
  /** Entries "host" (any port) or "host:port"; IPv6 as "[::1]:8080" or bare. */
  allowTargets: readonly string[];
  /** Also allow 127.0.0.0/8, ::1 and localhost. */
  allowLoopback: boolean;
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

/** The targets named by URL literals in the test's own code of a bundled script, sorted (the engine's scan, which also builds the archive's `targets`). */
export const scanScriptTargets = scanBundleTargets;
export { scanCodeTargets, targetOfUrl };
