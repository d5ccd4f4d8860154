/** Stable error codes a request can fail with (see `HttpResponse.errorCode`). */
export type HttpErrorCode =
  | 'ECONNREFUSED' // nothing listens on the port
  | 'ECONNRESET' // the peer reset or closed the connection before the response was complete
  | 'ETIMEDOUT' // the request's timeoutMs expired (or the OS timed out the connection)
  | 'ENOTFOUND' // DNS resolution failed
  | 'ETLS' // the TLS handshake failed (certificate, protocol, ...)
  | 'EPARSE' // the response is not valid HTTP/1.x
  | 'EBODYTOOLARGE' // the body exceeded maxBodyBytes
  | 'EABORTED' // the AbortSignal fired or the agent was closed
  | 'EREDIRECTS' // more redirects than maxRedirects
  | 'EINVALID' // the request itself is invalid (URL, scheme, method, header characters)
  | 'ETARGET' // a redirect led to a host that is not on the run's allow-list
  | 'EPROTO'; // any other socket error

/** An HTTP client failure with a stable code; carried in responses, never thrown out of `request`. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
  }
}

const SOCKET_CODES: Record<string, HttpErrorCode> = {
  ECONNREFUSED: 'ECONNREFUSED',
  ECONNRESET: 'ECONNRESET',
  ECONNABORTED: 'ECONNRESET',
  EPIPE: 'ECONNRESET',
  // Writing to a socket the server already closed surfaces as a stream error, not EPIPE.
  ERR_STREAM_DESTROYED: 'ECONNRESET',
  ERR_STREAM_WRITE_AFTER_END: 'ECONNRESET',
  ETIMEDOUT: 'ETIMEDOUT',
  ENOTFOUND: 'ENOTFOUND',
  EAI_AGAIN: 'ENOTFOUND',
  EAI_FAIL: 'ENOTFOUND',
  EAI_NONAME: 'ENOTFOUND',
  EAI_NODATA: 'ENOTFOUND',
};

/** Maps a Node socket, DNS or TLS error to the stable code of this client. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const nodeCode = (err as { code?: unknown } | null)?.code;
  if (typeof nodeCode === 'string') {
    const mapped = SOCKET_CODES[nodeCode];
    if (mapped !== undefined) return new HttpError(mapped, message);
    if (nodeCode.startsWith('ERR_SSL') || nodeCode.startsWith('ERR_TLS')) {
      return new HttpError('ETLS', message);
    }
  }
  return new HttpError('EPROTO', message);
}
