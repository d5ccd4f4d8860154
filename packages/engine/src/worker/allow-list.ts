/** Builds the check that refuses requests to hosts outside an allow-list ("host" or "host:port"); empty list allows all. */
export function targetChecker(allow: readonly string[]): ((url: URL) => string | null) | undefined {
  if (allow.length === 0) return undefined;
  const entries = allow.map((a) => a.toLowerCase());
  return (url: URL) => {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const ok = entries.some(
      (e) => e === host || e === `${host}:${port}` || e === `[${host}]:${port}`,
    );
    return ok ? null : `target ${url.host} is not on the allow-list (${allow.join(', ')})`;
  };
}
