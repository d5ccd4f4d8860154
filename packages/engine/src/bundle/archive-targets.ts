// The hosts a test names: absolute http(s) URL literals in the test's own modules of a bundle
// (bundled npm packages are skipped: their URLs are documentation, not load), for the allow-list
// check before a run starts. URLs whose host is computed at run time cannot be known here.

/** The "host:port" of an absolute http(s) URL, default ports filled in; null for anything else. */
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

// esbuild starts every module of a non-minified bundle with a "// <path>" line after a blank line.
function ownSections(code: string): string[] {
  const lines = code.split('\n');
  const own: string[] = [];
  let path: string | null = null;
  let start = 0;
  const close = (end: number): void => {
    if (isOwnCode(path)) own.push(lines.slice(start, end).join('\n'));
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const afterBlank = i === 0 || (lines[i - 1] ?? '').trim() === '';
    if (afterBlank && line.startsWith('// ') && line.length > 3) {
      close(i);
      path = line.slice(3).trim();
      start = i + 1;
    }
  }
  close(lines.length);
  return own;
}

function isOwnCode(path: string | null): boolean {
  if (path === null) return true;
  return !/(^|[/\\])node_modules[/\\]/.test(path) && !path.startsWith('stampede-api:');
}

const URL_START = /(["'`])(https?:\/\/)/gi;

/** Targets ("host:port") of the URL literals in `code`; template literals with a computed host are skipped. */
export function scanCodeTargets(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(URL_START)) {
    const quote = m[1] ?? '"';
    const scheme = m[2] ?? '';
    const from = (m.index ?? 0) + quote.length;
    let i = from;
    let dynamic = false;
    while (i < code.length) {
      const c = code[i];
      if (c === quote || c === '\\' || (c === '\n' && quote !== '`')) break;
      if (quote === '`' && c === '$' && code[i + 1] === '{') {
        dynamic = true;
        break;
      }
      i++;
    }
    const value = code.slice(from, i);
    // `https://${host}/` or `https://api-${env}.example.com` names no fixed host.
    if (dynamic && !/[/?#]/.test(value.slice(scheme.length))) continue;
    const target = targetOfUrl(value);
    if (target !== null) found.add(target);
  }
  return [...found];
}

/** Targets named by URL literals in the test's own modules of an esbuild bundle, sorted. */
export function scanBundleTargets(code: string): string[] {
  const found = new Set<string>();
  for (const section of ownSections(code)) for (const t of scanCodeTargets(section)) found.add(t);
  return [...found].sort();
}
