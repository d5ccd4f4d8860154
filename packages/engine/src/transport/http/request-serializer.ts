import { HttpError } from './errors.ts';

/** What goes into the head of one HTTP/1.1 request. */
export interface RequestHeadInput {
  method: string;
  /** Origin-form target: path and query. */
  target: string;
  /** Host header value: host, with the port when it is not the scheme's default. */
  host: string;
  /** Default User-Agent; '' sends none. */
  userAgent: string;
  headers: Record<string, string | string[]> | undefined;
  /** Cookies from the jar ('' for none), merged with a Cookie header the user set. */
  jarCookies: string;
  /** Body length in bytes, or -1 when there is no body. */
  bodyLength: number;
  keepAlive: boolean;
  /** Drop the user's Authorization and Cookie headers (cross-origin redirect). */
  stripCredentials: boolean;
  /** Drop the user's body-describing headers (a redirect turned the request into a body-less GET). */
  stripBodyHeaders: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values go out as latin1: anything outside it, and CR/LF (header injection), is refused.
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const BODY_HEADERS = new Set([
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
]);
// Framing is ours to decide: a user value would desynchronize the connection.
const MANAGED = new Set(['content-length', 'transfer-encoding', 'connection']);
const NEEDS_LENGTH = new Set(['POST', 'PUT', 'PATCH']);

function invalid(message: string): HttpError {
  return new HttpError('EINVALID', message);
}

/** Serializes the request line and headers, ending with the blank line; throws HttpError 'EINVALID'. */
export function serializeRequestHead(req: RequestHeadInput): Buffer {
  if (!TOKEN.test(req.method)) throw invalid(`invalid method ${JSON.stringify(req.method)}`);
  if (INVALID_VALUE.test(req.target) || req.target.includes(' ')) {
    throw invalid('invalid request target');
  }
  let userHost = false;
  let userAgentSet = false;
  let cookieSent = false;
  let fields = '';
  const headers = req.headers;
  if (headers !== undefined) {
    for (const name in headers) {
      const raw = headers[name];
      if (raw === undefined) continue;
      if (!TOKEN.test(name)) throw invalid(`invalid header name ${JSON.stringify(name)}`);
      const lower = name.toLowerCase();
      if (MANAGED.has(lower)) continue;
      if (req.stripCredentials && (lower === 'authorization' || lower === 'cookie')) continue;
      if (req.stripBodyHeaders && BODY_HEADERS.has(lower)) continue;
      const values = typeof raw === 'string' ? [raw] : raw;
      for (let v of values) {
        if (INVALID_VALUE.test(v)) throw invalid(`invalid character in header ${name}`);
        if (lower === 'host') userHost = true;
        else if (lower === 'user-agent') userAgentSet = true;
        else if (lower === 'cookie' && req.jarCookies !== '' && !cookieSent) {
          v = v === '' ? req.jarCookies : `${v}; ${req.jarCookies}`;
          cookieSent = true;
        }
        fields += `${name}: ${v}\r\n`;
      }
    }
  }
  let head = `${req.method} ${req.target} HTTP/1.1\r\n`;
  if (!userHost) head += `Host: ${req.host}\r\n`;
  if (!userAgentSet && req.userAgent !== '') head += `User-Agent: ${req.userAgent}\r\n`;
  head += fields;
  if (!cookieSent && req.jarCookies !== '') head += `Cookie: ${req.jarCookies}\r\n`;
  if (req.bodyLength >= 0) head += `Content-Length: ${req.bodyLength}\r\n`;
  else if (NEEDS_LENGTH.has(req.method)) head += 'Content-Length: 0\r\n';
  head += req.keepAlive ? 'Connection: keep-alive\r\n\r\n' : 'Connection: close\r\n\r\n';
  return Buffer.from(head, 'latin1');
}

/** Turns a request body into bytes without copying a Uint8Array; null when there is none. */
export function bodyToBuffer(body: string | Uint8Array | null | undefined): Buffer | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
