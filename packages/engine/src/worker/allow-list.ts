import { isIPv4 } from 'node:net';

/** Allow-list entry that admits every loopback host (127.0.0.0/8, ::1, localhost, *.localhost). */
export const LOOPBACK_ENTRY = 'loopback';

/** Whether a URL host (brackets removed, lower case) is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (host === '::1') return true;
  // IPv4-mapped IPv6, as the URL parser writes it: ::ffff:7f00:1 is 127.0.0.1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host)?.[1];
  return mapped !== undefined && parseInt(mapped, 16) >> 8 === 127;
}

/** Builds the check that refuses requests to hosts outside an allow-list ("host", "host:port" or "loopback"); empty list allows all. */
export function targetChecker(allow: readonly string[]): ((url: URL) => string | null) | undefined {
  if (allow.length === 0) return undefined;
  const entries = allow.map((a) => a.toLowerCase());
  const loopback = entries.includes(LOOPBACK_ENTRY);
  return (url: URL) => {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const ok =
      (loopback && isLoopbackHost(host)) ||
      entries.some((e) => e === host || e === `${host}:${port}` || e === `[${host}]:${port}`);
    return ok ? null : `target ${url.host} is not on the allow-list (${allow.join(', ')})`;
  };
}

/**
 * Wraps a target check so the first refusal of each origin (scheme, host and port) also calls
 * `onFirstRefusal` with a line for the run log: refused requests must not show only as failed
 * requests with ETARGET.
 */
export function reportingTargetChecker(
  check: (url: URL) => string | null,
  onFirstRefusal: (origin: string, line: string) => void,
): (url: URL) => string | null {
  const reported = new Set<string>();
  return (url) => {
    const refused = check(url);
    if (refused !== null && !reported.has(url.origin)) {
      reported.add(url.origin);
      onFirstRefusal(
        url.origin,
        `requests to ${url.origin} refused: ${refused}; they fail with ETARGET`,
      );
    }
    return refused;
  };
}
