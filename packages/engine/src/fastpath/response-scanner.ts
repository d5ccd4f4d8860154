// A response parser specialised for load generation: it reads only what framing and metrics need
// (status code, Content-Length, Transfer-Encoding: chunked, Connection) byte by byte, so a split
// at any byte works and no string or Buffer is made per response. Bodies are skipped, not kept.
import { HttpError } from '../transport/http/errors.ts';
import { HEX_VALUE, TOKEN_CHARS } from '../transport/http/byte-tables.ts';

const S_STATUS = 0;
const S_STATUS_REST = 1;
const S_LINE_START = 2;
const S_NAME = 3;
const S_VALUE = 4;
const S_HEAD_LF = 5;
const S_BODY_LENGTH = 6;
const S_BODY_CLOSE = 7;
const S_CHUNK_SIZE = 8;
const S_CHUNK_EXT = 9;
const S_CHUNK_DATA = 10;
const S_CHUNK_DATA_CR = 11;
const S_CHUNK_DATA_LF = 12;
const S_TRAILER_START = 13;
const S_TRAILER_SKIP = 14;
const S_TRAILER_LF = 15;
const S_DONE = 16;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const COMMA = 0x2c;

/** Largest accepted response head or trailer section, in bytes. */
export const MAX_SCAN_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_SIZE = 2 ** 48;

const H_CONTENT_LENGTH = 1;
const H_TRANSFER_ENCODING = 2;
const H_CONNECTION = 4;
const NAMES = [
  Buffer.from('content-length'),
  Buffer.from('transfer-encoding'),
  Buffer.from('connection'),
];
const T_CHUNKED = 1;
const T_CLOSE = 2;
const T_KEEP_ALIVE = 4;
const TOKENS = [Buffer.from('chunked'), Buffer.from('close'), Buffer.from('keep-alive')];
const STATUS_PREFIX = Buffer.from('HTTP/1.');

function fail(message: string): never {
  throw new HttpError('EPARSE', message);
}

/** Narrows a candidate bitmask by the `pos`-th (lower-cased) byte `c` of a name or token. */
function narrow(cand: number, list: Buffer[], pos: number, c: number): number {
  let out = cand;
  for (let k = 0; k < list.length; k++) {
    const bit = 1 << k;
    if ((out & bit) !== 0 && list[k]![pos] !== c) out &= ~bit;
  }
  return out;
}

/** The candidate of `cand` whose length is exactly `len`, or 0. */
function exact(cand: number, list: Buffer[], len: number): number {
  for (let k = 0; k < list.length; k++) {
    const bit = 1 << k;
    if ((cand & bit) !== 0 && list[k]!.length === len) return bit;
  }
  return 0;
}

/**
 * Incremental HTTP/1.x response scanner: `execute` consumes bytes of one response at a time and
 * stops at its end; call `reset` before the next. Throws HttpError 'EPARSE' on malformed input.
 */
export class ResponseScanner {
  /** Status code of the current response (0 until its status line is read). */
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** Whether the current response is complete. */
  complete = false;
  /** Whether any byte of the current response has been seen. */
  started = false;

  #state = S_STATUS;
  #expectBody = true;
  #col = 0;
  #minor = 1;
  #headBytes = 0;
  #header = 0;
  #nameLen = 0;
  #cand = 0;
  // Content-Length value being read, and the framing seen so far.
  #clDigits = 0;
  #clValue = 0;
  #contentLength = -1;
  #chunked = false;
  #otherCoding = false;
  #close = false;
  #keepAliveToken = false;
  // Token matcher of Transfer-Encoding / Connection values.
  #tokLen = 0;
  #tokCand = 0;
  #tokDone = false;
  #remaining = 0;
  #chunkDigits = 0;

  /** Prepares for the next response; `expectBody` is false for the response to a HEAD request. */
  reset(expectBody: boolean): void {
    this.#expectBody = expectBody;
    this.status = 0;
    this.keepAlive = true;
    this.complete = false;
    this.started = false;
    this.#remaining = 0;
    this.#chunkDigits = 0;
    this.#resetHead();
  }

  #resetHead(): void {
    this.#state = S_STATUS;
    this.#col = 0;
    this.#headBytes = 0;
    this.#contentLength = -1;
    this.#chunked = false;
    this.#otherCoding = false;
    this.#close = false;
    this.#keepAliveToken = false;
  }

  /** Whether the current response ends only when the connection closes. */
  get closeDelimited(): boolean {
    return this.#state === S_BODY_CLOSE;
  }

  /** Reports the end of the stream: true when that completes the response (close-delimited body). */
  finish(): boolean {
    if (this.#state === S_BODY_CLOSE) this.#done();
    return this.complete;
  }

  /** Scans `data` from `start`; returns the index after the last byte of the current response it used. */
  execute(data: Uint8Array, start: number): number {
    const len = data.length;
    let i = start;
    if (i < len) this.started = true;
    while (i < len) {
      const state = this.#state;
      if (state === S_BODY_LENGTH || state === S_CHUNK_DATA) {
        const n = Math.min(this.#remaining, len - i);
        i += n;
        this.#remaining -= n;
        if (this.#remaining === 0) {
          if (state === S_BODY_LENGTH) {
            this.#done();
            return i;
          }
          this.#state = S_CHUNK_DATA_CR;
        }
        continue;
      }
      if (state === S_BODY_CLOSE) return len;
      if (state === S_DONE) return i;
      if ((state === S_VALUE && this.#header === 0) || state === S_STATUS_REST) {
        // Bytes nobody reads: skip to the end of the line in a tight loop.
        let j = i;
        while (j < len) {
          const b = data[j]!;
          if (b === LF) break;
          if (b < SP && b !== HT && b !== CR) fail('invalid character in header value');
          j++;
        }
        this.#headBytes += j - i;
        if (this.#headBytes > MAX_SCAN_HEAD_BYTES) fail('response head too large');
        i = j;
        if (i === len) break;
      }
      const c = data[i]!;
      i++;
      if (state < S_BODY_LENGTH || state >= S_TRAILER_START) {
        if (++this.#headBytes > MAX_SCAN_HEAD_BYTES) fail('response head too large');
      }
      switch (state) {
        case S_STATUS:
          this.#statusByte(c);
          break;
        case S_STATUS_REST:
          if (c === LF) this.#state = S_LINE_START;
          break;
        case S_LINE_START:
          if (c === CR) this.#state = S_HEAD_LF;
          else if (c === LF) this.#endHead();
          else if (TOKEN_CHARS[c] === 1) {
            this.#nameLen = 1;
            this.#cand = narrow(7, NAMES, 0, c | 0x20);
            this.#state = S_NAME;
          } else fail('invalid header line');
          break;
        case S_NAME:
          if (c === COLON) {
            this.#startValue(exact(this.#cand, NAMES, this.#nameLen));
          } else if (TOKEN_CHARS[c] === 1) {
            if (this.#cand !== 0) this.#cand = narrow(this.#cand, NAMES, this.#nameLen, c | 0x20);
            this.#nameLen++;
          } else fail('invalid character in header name');
          break;
        case S_VALUE:
          if (c === LF) {
            this.#endValue();
            this.#state = S_LINE_START;
          } else if (this.#header !== 0) this.#valueByte(c);
          else if (c < SP && c !== HT && c !== CR) fail('invalid character in header value');
          break;
        case S_HEAD_LF:
          if (c !== LF) fail('expected LF after CR');
          this.#endHead();
          if (this.#state === S_DONE) return i;
          break;
        case S_CHUNK_SIZE: {
          const v = HEX_VALUE[c]!;
          if (v >= 0) {
            if (this.#remaining >= MAX_CHUNK_SIZE) fail('chunk size too large');
            this.#remaining = this.#remaining * 16 + v;
            this.#chunkDigits++;
          } else if (this.#chunkDigits === 0) fail('invalid chunk size');
          else if (c === LF) this.#endChunkSize();
          else if (c === CR || c === 0x3b || c === SP || c === HT) this.#state = S_CHUNK_EXT;
          else fail('invalid chunk size');
          break;
        }
        case S_CHUNK_EXT:
          if (c === LF) this.#endChunkSize();
          break;
        case S_CHUNK_DATA_CR:
          if (c === CR) this.#state = S_CHUNK_DATA_LF;
          else if (c === LF) this.#state = S_CHUNK_SIZE;
          else fail('missing CRLF after chunk data');
          break;
        case S_CHUNK_DATA_LF:
          if (c !== LF) fail('missing CRLF after chunk data');
          this.#state = S_CHUNK_SIZE;
          break;
        case S_TRAILER_START:
          if (c === CR) this.#state = S_TRAILER_LF;
          else if (c === LF) {
            this.#done();
            return i;
          } else this.#state = S_TRAILER_SKIP;
          break;
        case S_TRAILER_SKIP:
          if (c === LF) this.#state = S_TRAILER_START;
          break;
        case S_TRAILER_LF:
          if (c !== LF) fail('expected LF after CR');
          this.#done();
          return i;
      }
    }
    return i;
  }

  #statusByte(c: number): void {
    const col = this.#col;
    // RFC 9112 2.2: a client should ignore empty lines received before the status line.
    if (col === 0 && (c === CR || c === LF)) return;
    this.#col = col + 1;
    if (col < 7) {
      if (c !== STATUS_PREFIX[col]) fail('malformed status line');
    } else if (col === 7) {
      if (c < 0x30 || c > 0x39) fail('malformed status line');
      this.#minor = c - 0x30;
    } else if (col === 8) {
      if (c !== SP) fail('malformed status line');
      this.status = 0;
    } else if (col <= 11) {
      const d = c - 0x30;
      if (d < 0 || d > 9 || (col === 9 && d === 0)) fail('malformed status line');
      this.status = this.status * 10 + d;
    } else if (c === LF) {
      this.#state = S_LINE_START;
    } else if (c === SP || c === CR) {
      this.#state = S_STATUS_REST;
    } else fail('malformed status line');
  }

  #startValue(header: number): void {
    this.#header = header;
    this.#state = S_VALUE;
    this.#clDigits = 0;
    this.#clValue = 0;
    this.#tokLen = 0;
    this.#tokCand = 7;
    this.#tokDone = false;
  }

  #valueByte(c: number): void {
    if (this.#header === H_CONTENT_LENGTH) {
      if (c >= 0x30 && c <= 0x39) {
        if (this.#tokDone || ++this.#clDigits > 15) fail('invalid content-length');
        this.#clValue = this.#clValue * 10 + (c - 0x30);
      } else if (c === SP || c === HT || c === CR) {
        if (this.#clDigits > 0) this.#tokDone = true;
      } else fail('invalid content-length');
      return;
    }
    if (c === COMMA) this.#endToken();
    else if (c === SP || c === HT || c === CR) {
      if (this.#tokLen > 0) this.#tokDone = true;
    } else if (this.#tokDone) {
      this.#tokCand = 0; // an inner space: not one of our tokens
    } else {
      if (this.#tokCand !== 0)
        this.#tokCand = narrow(this.#tokCand, TOKENS, this.#tokLen, c | 0x20);
      this.#tokLen++;
    }
  }

  #endToken(): void {
    if (this.#tokLen > 0) {
      const t = exact(this.#tokCand, TOKENS, this.#tokLen);
      if (this.#header === H_TRANSFER_ENCODING) {
        // Only the last coding decides: chunked must be last to frame the body.
        this.#chunked = t === T_CHUNKED;
        if (t !== T_CHUNKED) this.#otherCoding = true;
      } else if (t === T_CLOSE) this.#close = true;
      else if (t === T_KEEP_ALIVE) this.#keepAliveToken = true;
    }
    this.#tokLen = 0;
    this.#tokCand = 7;
    this.#tokDone = false;
  }

  #endValue(): void {
    const h = this.#header;
    if (h === H_CONTENT_LENGTH) {
      if (this.#clDigits === 0) fail('invalid content-length');
      if (this.#contentLength !== -1 && this.#contentLength !== this.#clValue) {
        fail('conflicting content-length headers');
      }
      this.#contentLength = this.#clValue;
    } else if (h === H_TRANSFER_ENCODING || h === H_CONNECTION) {
      this.#endToken();
    }
    this.#header = 0;
  }

  #endHead(): void {
    const status = this.status;
    if (status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.#resetHead();
      return;
    }
    this.keepAlive = this.#minor >= 1 ? !this.#close : this.#keepAliveToken;
    if (status === 101) {
      this.keepAlive = false;
      this.#done();
    } else if (!this.#expectBody || status === 204 || status === 304) {
      this.#done();
    } else if (this.#chunked) {
      if (this.#contentLength !== -1) this.keepAlive = false;
      this.#remaining = 0;
      this.#chunkDigits = 0;
      this.#state = S_CHUNK_SIZE;
    } else if (this.#otherCoding || this.#contentLength === -1) {
      this.keepAlive = false;
      this.#state = S_BODY_CLOSE;
    } else if (this.#contentLength === 0) {
      this.#done();
    } else {
      this.#remaining = this.#contentLength;
      this.#state = S_BODY_LENGTH;
    }
  }

  #endChunkSize(): void {
    this.#chunkDigits = 0;
    if (this.#remaining === 0) {
      this.#headBytes = 0;
      this.#state = S_TRAILER_START;
    } else {
      this.#state = S_CHUNK_DATA;
    }
  }

  #done(): void {
    this.#state = S_DONE;
    this.complete = true;
  }
}
