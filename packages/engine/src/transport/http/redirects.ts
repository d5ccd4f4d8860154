/** The request of the next hop after a redirect response. */
export interface RedirectedRequest {
  method: string;
  body: Buffer | null;
  /** The body was dropped, so headers describing it must be dropped too. */
  bodyDropped: boolean;
}

/** Whether `status` is a redirect this client follows (301, 302, 303, 307, 308). */
export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * Method and body of the next hop: 307/308 keep both; 301/302/303 turn the request into a
 * body-less GET (HEAD stays HEAD, as in browsers and Go).
 */
export function redirectedRequest(
  status: number,
  method: string,
  body: Buffer | null,
): RedirectedRequest {
  if (status === 307 || status === 308 || method === 'HEAD') {
    return { method, body, bodyDropped: false };
  }
  return { method: 'GET', body: null, bodyDropped: body !== null || method !== 'GET' };
}

/**
 * Resolves a Location header against the hop URL; null when it is not a valid http(s) URL
 * (then the redirect response is returned as the final one).
 */
export function resolveLocation(location: string, base: URL): URL | null {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    return null;
  }
  return next.protocol === 'http:' || next.protocol === 'https:' ? next : null;
}

/** The origin of a URL (scheme, host, port) as a key; default ports are omitted by URL. */
export function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
