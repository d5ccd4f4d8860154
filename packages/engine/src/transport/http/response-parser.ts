import { HttpError } from './errors.ts';
import { HEX_VALUE, TOKEN_CHARS } from './byte-tables.ts';
import { FieldValueCache, fieldName } from './field-strings.ts';

/** Largest accepted response head (status line and headers), and trailer section, in bytes. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Receives the (de-chunked) body bytes of a response as the parser meets them. */
export interface ResponseBodySink {
  /** `chunk` is a view into the fed buffer; it stays valid because fed buffers are never reused. */
  onBody(chunk: Buffer): void;
}

const ST_STATUS = 0;
const ST_HEADER = 1;
const ST_BODY_LENGTH = 2;
const ST_BODY_CLOSE = 3;
const ST_CHUNK_SIZE = 4;
const ST_CHUNK_EXT = 5;
const ST_CHUNK_SIZE_LF = 6;
const ST_CHUNK_DATA = 7;
const ST_CHUNK_DATA_CR = 8;
const ST_CHUNK_DATA_LF = 9;
const ST_TRAILER = 10;
const ST_DONE = 11;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

// Past 2^48 a chunk size is certainly hostile, and staying below 2^53 keeps the arithmetic exact.
const MAX_CHUNK_SIZE = 2 ** 48;

function parseError(message: string): HttpError {
  return new HttpError('EPARSE', message);
}

function appendField(target: Record<string, string>, name: string, value: string): void {
  const existing = target[name];
  if (existing === undefined) target[name] = value;
  else target[name] = existing + (name === 'set-cookie' ? '\n' : ', ') + value;
}

/**
 * Incremental HTTP/1.x response parser: feed socket chunks to `execute` in any split (down to one
 * byte); it works on the Buffers directly and only makes strings of the status text and fields.
 * One parser serves many responses on a connection: call `reset` before each.
 */
export class ResponseParser {
  statusCode = 0;
  statusText = '';
  /** Minor version of HTTP/1.x. */
  httpMinor = 1;
  /** Lower-case names, null prototype; repeated fields joined (", ", or "\n" for set-cookie). */
  headers: Record<string, string> = Object.create(null) as Record<string, string>;
  /** Trailer fields of a chunked body, or null when there were none. */
  trailers: Record<string, string> | null = null;
  /** Whether the connection may carry another request after this response. */
  keepAlive = false;
  headersComplete = false;
  complete = false;

  #sink: ResponseBodySink;
  #state = ST_STATUS;
  #expectBody = true;
  #contentLength = -1;
  #chunked = false;
  #otherCoding = false;
  #connectionClose = false;
  #connectionKeepAlive = false;
  #remaining = 0;
  #chunkSize = 0;
  #chunkDigits = 0;
  // Bytes of the current head/trailer section or chunk-size line, to cap them.
  #sectionBytes = 0;
  // Pieces of a line that is split across fed buffers.
  #partial: Buffer[] = [];
  readonly #values = new FieldValueCache();

  constructor(sink: ResponseBodySink) {
    this.#sink = sink;
  }

  /** Prepares for the next response; `expectBody` is false for the response to a HEAD request. */
  reset(expectBody: boolean): void {
    this.#resetHead();
    this.#expectBody = expectBody;
    this.keepAlive = false;
    this.headersComplete = false;
    this.complete = false;
    this.trailers = null;
    this.#remaining = 0;
    this.#chunkSize = 0;
    this.#chunkDigits = 0;
  }

  #resetHead(): void {
    this.statusCode = 0;
    this.statusText = '';
    this.httpMinor = 1;
    this.headers = Object.create(null) as Record<string, string>;
    this.#state = ST_STATUS;
    this.#contentLength = -1;
    this.#chunked = false;
    this.#otherCoding = false;
    this.#connectionClose = false;
    this.#connectionKeepAlive = false;
    this.#sectionBytes = 0;
    this.#partial.length = 0;
  }

  /**
   * Parses `data`; returns how many bytes belong to the current response (fewer than
   * `data.length` only when the response completed inside it). Throws HttpError 'EPARSE'.
   */
  execute(data: Buffer): number {
    const len = data.length;
    let i = 0;
    while (i < len && this.#state !== ST_DONE) {
      switch (this.#state) {
        case ST_STATUS:
        case ST_HEADER:
        case ST_TRAILER: {
          const nl = data.indexOf(LF, i);
          if (nl === -1) {
            this.#countSection(len - i);
            this.#partial.push(data.subarray(i, len));
            i = len;
            break;
          }
          this.#countSection(nl + 1 - i);
          let line = data;
          let start = i;
          let end = nl;
          if (this.#partial.length > 0) {
            this.#partial.push(data.subarray(i, nl));
            line = Buffer.concat(this.#partial);
            this.#partial.length = 0;
            start = 0;
            end = line.length;
          }
          if (end > start && line[end - 1] === CR) end--;
          i = nl + 1;
          this.#onLine(line, start, end);
          break;
        }
        case ST_BODY_LENGTH:
        case ST_CHUNK_DATA: {
          const n = Math.min(this.#remaining, len - i);
          this.#sink.onBody(data.subarray(i, i + n));
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (this.#state === ST_BODY_LENGTH) this.#finish();
            else this.#state = ST_CHUNK_DATA_CR;
          }
          break;
        }
        case ST_BODY_CLOSE:
          this.#sink.onBody(i === 0 ? data : data.subarray(i));
          i = len;
          break;
        case ST_CHUNK_SIZE:
          i = this.#chunkSizeBytes(data, i);
          break;
        case ST_CHUNK_EXT: {
          // Extensions carry nothing we use: skip to the end of the size line, capped.
          const nl = data.indexOf(LF, i);
          const stop = nl === -1 ? len : nl + 1;
          this.#countSection(stop - i);
          i = stop;
          if (nl !== -1) this.#endChunkSize();
          break;
        }
        case ST_CHUNK_SIZE_LF:
          if (data[i] !== LF) throw parseError('invalid chunk size line');
          i++;
          this.#endChunkSize();
          break;
        case ST_CHUNK_DATA_CR: {
          const c = data[i];
          i++;
          if (c === CR) this.#state = ST_CHUNK_DATA_LF;
          else if (c === LF) this.#state = ST_CHUNK_SIZE;
          else throw parseError('missing CRLF after chunk data');
          break;
        }
        case ST_CHUNK_DATA_LF:
          if (data[i] !== LF) throw parseError('missing CRLF after chunk data');
          i++;
          this.#state = ST_CHUNK_SIZE;
          break;
      }
    }
    return i;
  }

  /** Reports the end of the stream: true when the response is complete (close-delimited body). */
  finish(): boolean {
    if (this.#state === ST_BODY_CLOSE) this.#finish();
    return this.complete;
  }

  #finish(): void {
    this.#state = ST_DONE;
    this.complete = true;
  }

  #countSection(n: number): void {
    this.#sectionBytes += n;
    if (this.#sectionBytes > MAX_HEAD_BYTES) {
      throw parseError(`response head exceeds ${MAX_HEAD_BYTES} bytes`);
    }
  }

  #chunkSizeBytes(data: Buffer, from: number): number {
    let i = from;
    while (i < data.length) {
      const c = data[i]!;
      const v = HEX_VALUE[c]!;
      i++;
      if (v >= 0) {
        if (this.#chunkSize >= MAX_CHUNK_SIZE) throw parseError('chunk size too large');
        this.#chunkSize = this.#chunkSize * 16 + v;
        this.#chunkDigits++;
        continue;
      }
      if (this.#chunkDigits === 0) throw parseError('invalid chunk size');
      if (c === CR) this.#state = ST_CHUNK_SIZE_LF;
      else if (c === LF) this.#endChunkSize();
      else if (c === 0x3b || c === SP || c === HT) {
        this.#sectionBytes = 0;
        this.#state = ST_CHUNK_EXT;
      } else throw parseError('invalid chunk size');
      return i;
    }
    return i;
  }

  #endChunkSize(): void {
    this.#sectionBytes = 0;
    if (this.#chunkSize === 0) {
      this.#state = ST_TRAILER;
    } else {
      this.#remaining = this.#chunkSize;
      this.#state = ST_CHUNK_DATA;
    }
    this.#chunkSize = 0;
    this.#chunkDigits = 0;
  }

  #onLine(b: Buffer, start: number, end: number): void {
    if (this.#state === ST_STATUS) {
      // RFC 9112 2.2: a client should ignore empty lines received before the status line.
      if (end > start) this.#parseStatusLine(b, start, end);
    } else if (end === start) {
      if (this.#state === ST_HEADER) this.#endHead();
      else this.#finish();
    } else if (this.#state === ST_HEADER) {
      this.#parseField(b, start, end, this.headers, true);
    } else {
      this.trailers ??= Object.create(null) as Record<string, string>;
      this.#parseField(b, start, end, this.trailers, false);
    }
  }

  #parseStatusLine(b: Buffer, s: number, e: number): void {
    // "HTTP/1.x NNN" is 12 bytes; the reason phrase after it is optional.
    if (
      e - s < 12 ||
      b[s] !== 0x48 ||
      b[s + 1] !== 0x54 ||
      b[s + 2] !== 0x54 ||
      b[s + 3] !== 0x50 ||
      b[s + 4] !== 0x2f ||
      b[s + 5] !== 0x31 ||
      b[s + 6] !== 0x2e ||
      b[s + 8] !== SP ||
      (e - s > 12 && b[s + 12] !== SP)
    ) {
      throw parseError(`malformed status line: ${JSON.stringify(b.toString('latin1', s, e))}`);
    }
    const minor = b[s + 7]! - 0x30;
    const d1 = b[s + 9]! - 0x30;
    const d2 = b[s + 10]! - 0x30;
    const d3 = b[s + 11]! - 0x30;
    if (minor < 0 || minor > 9 || d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) {
      throw parseError(`malformed status line: ${JSON.stringify(b.toString('latin1', s, e))}`);
    }
    this.httpMinor = minor;
    this.statusCode = d1 * 100 + d2 * 10 + d3;
    this.statusText = e - s > 13 ? b.toString('latin1', s + 13, e) : '';
    this.#state = ST_HEADER;
  }

  #parseField(
    b: Buffer,
    s: number,
    e: number,
    target: Record<string, string>,
    framing: boolean,
  ): void {
    const first = b[s];
    if (first === SP || first === HT) throw parseError('obsolete header line folding');
    let i = s;
    let hasUpper = false;
    for (; i < e; i++) {
      const c = b[i]!;
      if (c === 0x3a) break;
      if (TOKEN_CHARS[c] === 0) throw parseError('invalid character in header name');
      if (c >= 0x41 && c <= 0x5a) hasUpper = true;
    }
    if (i === e) throw parseError('header line without colon');
    if (i === s) throw parseError('empty header name');
    const name = fieldName(b, s, i, hasUpper);
    let vs = i + 1;
    let ve = e;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    for (let k = vs; k < ve; k++) {
      const c = b[k]!;
      if ((c < 0x20 && c !== HT) || c === 0x7f)
        throw parseError('invalid character in header value');
    }
    const value = this.#values.value(name, b, vs, ve);
    if (framing) this.#framingField(name, value);
    appendField(target, name, value);
  }

  #framingField(name: string, value: string): void {
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) throw parseError('invalid content-length');
      const n = Number(value);
      if (this.#contentLength !== -1 && this.#contentLength !== n) {
        throw parseError('conflicting content-length headers');
      }
      this.#contentLength = n;
    } else if (name === 'transfer-encoding') {
      const codings = value.split(',');
      const last = codings[codings.length - 1]!.trim().toLowerCase();
      this.#chunked = last === 'chunked';
      if (!this.#chunked) this.#otherCoding = true;
    } else if (name === 'connection') {
      for (const token of value.split(',')) {
        const t = token.trim().toLowerCase();
        if (t === 'close') this.#connectionClose = true;
        else if (t === 'keep-alive') this.#connectionKeepAlive = true;
      }
    }
  }

  #endHead(): void {
    const status = this.statusCode;
    if (status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.#resetHead();
      return;
    }
    this.headersComplete = true;
    this.#sectionBytes = 0;
    this.keepAlive = this.httpMinor >= 1 ? !this.#connectionClose : this.#connectionKeepAlive;
    if (status === 101) {
      // We never ask for an upgrade, so the stream after it is not HTTP we could reuse.
      this.keepAlive = false;
      this.#finish();
    } else if (!this.#expectBody || status === 204 || status === 304) {
      this.#finish();
    } else if (this.#chunked) {
      // Both framings present is a smuggling pattern (RFC 9112 6.3): use chunked, then close.
      if (this.#contentLength !== -1) this.keepAlive = false;
      this.#state = ST_CHUNK_SIZE;
    } else if (this.#otherCoding || this.#contentLength === -1) {
      this.keepAlive = false;
      this.#state = ST_BODY_CLOSE;
    } else if (this.#contentLength === 0) {
      this.#finish();
    } else {
      this.#remaining = this.#contentLength;
      this.#state = ST_BODY_LENGTH;
    }
  }
}
