import type { Socket } from 'node:net';
import type { CancelScope } from './cancel.ts';
import { HttpError, toHttpError } from './errors.ts';
import { ResponseParser } from './response-parser.ts';
import type { ResponseBodySink } from './response-parser.ts';
import type { TimingMarks } from './timings.ts';

/** How to read the response of one exchange. */
export interface ExchangeOptions {
  /** False for HEAD: the response has no body whatever its headers say. */
  expectBody: boolean;
  /** False to count body bytes without keeping them. */
  keepBody: boolean;
  /** Largest kept body in bytes; 0 = no limit. */
  maxBodyBytes: number;
}

/** The outcome of one request/response exchange on a connection. */
export interface ExchangeResult {
  /** 0 unless the response head arrived. */
  status: number;
  statusText: string;
  headers: Record<string, string>;
  trailers: Record<string, string> | null;
  body: Buffer | null;
  /** Bytes of this response read from the socket, head included. */
  bytesReceived: number;
  error: HttpError | null;
  /** The connection can carry another request. */
  reusable: boolean;
  /**
   * The connection was reused and died before any response byte: most likely the server closed
   * it while idle, so the request never reached the application and can be sent again.
   */
  retryable: boolean;
}

const EMPTY_BODY = Buffer.alloc(0);

/** Marks the end of sending, unless the response already did. */
function sentAt(marks: TimingMarks): void {
  if (marks.sendEndMs === 0) marks.sendEndMs = performance.now();
}

class Exchange {
  readonly resolve: (result: ExchangeResult) => void;
  readonly marks: TimingMarks;
  readonly scope: CancelScope;
  readonly reused: boolean;
  readonly maxBodyBytes: number;
  keepBody: boolean;
  chunks: Buffer[] = [];
  bodyBytes = 0;
  bytesReceived = 0;
  tooLarge = false;

  constructor(
    resolve: (result: ExchangeResult) => void,
    marks: TimingMarks,
    scope: CancelScope,
    reused: boolean,
    options: ExchangeOptions,
  ) {
    this.resolve = resolve;
    this.marks = marks;
    this.scope = scope;
    this.reused = reused;
    this.keepBody = options.keepBody;
    this.maxBodyBytes = options.maxBodyBytes;
  }
}

/**
 * One HTTP/1.1 connection: a socket plus its response parser, carrying one exchange at a time.
 * Socket listeners are installed once, so an exchange allocates no closures for events.
 */
export class Connection implements ResponseBodySink {
  readonly socket: Socket;
  /** Exchanges started on this connection; above 0 means the next one reuses it. */
  exchanges = 0;
  /** The socket is closed or closing; the pool must not hand it out. */
  dead = false;
  /** Called once when the socket closes (the pool drops it if idle). */
  onClosed: ((conn: Connection) => void) | null = null;
  #parser: ResponseParser;
  #ex: Exchange | null = null;
  // One closure per connection rather than one per exchange.
  readonly #cancelHook = (reason: HttpError): void => this.#fail(reason, false);

  constructor(socket: Socket) {
    this.socket = socket;
    this.#parser = new ResponseParser(this);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err: Error) => this.#onError(err));
    socket.on('close', () => this.#onClose());
  }

  /** Sends the request head and body, then reads the response. Never rejects. */
  exchange(
    head: Buffer,
    body: Buffer | null,
    options: ExchangeOptions,
    marks: TimingMarks,
    scope: CancelScope,
  ): Promise<ExchangeResult> {
    return new Promise<ExchangeResult>((resolve) => {
      const reused = this.exchanges > 0;
      this.exchanges++;
      this.#ex = new Exchange(resolve, marks, scope, reused, options);
      this.#parser.reset(options.expectBody);
      scope.setHook(this.#cancelHook);
      if (this.#ex === null) return;
      if (this.dead) {
        this.#fail(new HttpError('ECONNRESET', 'connection closed while idle'), reused);
        return;
      }
      const s = this.socket;
      marks.sendStartMs = performance.now();
      if (body !== null && body.length > 0) {
        // cork/uncork turns head + body into one writev without concatenating them.
        s.cork();
        s.write(head);
        s.write(body, () => sentAt(marks));
        s.uncork();
      } else {
        s.write(head);
        // A small head usually reaches the kernel inside write(); only a queued one needs a
        // callback, which an empty write queued behind it provides (saves a tick per request).
        if (s.writableLength === 0) marks.sendEndMs = performance.now();
        else s.write(EMPTY_BODY, () => sentAt(marks));
      }
    });
  }

  /** Closes the socket at once. */
  destroy(): void {
    this.dead = true;
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Part of ResponseBodySink: collects or counts body bytes and enforces maxBodyBytes. */
  onBody(chunk: Buffer): void {
    const ex = this.#ex!;
    ex.bodyBytes += chunk.length;
    if (!ex.keepBody) return;
    if (ex.maxBodyBytes > 0 && ex.bodyBytes > ex.maxBodyBytes) {
      ex.tooLarge = true;
      ex.keepBody = false;
      ex.chunks.length = 0;
      return;
    }
    ex.chunks.push(chunk);
  }

  #onData(chunk: Buffer): void {
    const ex = this.#ex;
    if (ex === null) {
      // Bytes nobody asked for: the stream can no longer be trusted for another exchange.
      this.destroy();
      return;
    }
    const marks = ex.marks;
    if (marks.firstByteMs === 0) {
      marks.firstByteMs = performance.now();
      // An early response (before the write callback) closes the sending phase.
      if (marks.sendEndMs === 0) marks.sendEndMs = marks.firstByteMs;
    }
    let consumed: number;
    try {
      consumed = this.#parser.execute(chunk);
    } catch (err) {
      ex.bytesReceived += chunk.length;
      this.#fail(err instanceof HttpError ? err : new HttpError('EPARSE', String(err)), false);
      return;
    }
    ex.bytesReceived += consumed;
    if (ex.tooLarge) {
      this.#fail(
        new HttpError('EBODYTOOLARGE', `response body exceeds ${ex.maxBodyBytes} bytes`),
        false,
      );
    } else if (this.#parser.complete) {
      this.#succeed(ex, consumed === chunk.length);
    }
  }

  #onEnd(): void {
    const ex = this.#ex;
    if (ex === null) {
      this.destroy();
      return;
    }
    if (this.#parser.finish()) {
      this.#succeed(ex, false);
      return;
    }
    const nothing = ex.bytesReceived === 0;
    this.#fail(
      new HttpError(
        'ECONNRESET',
        nothing
          ? 'server closed the connection before sending a response'
          : 'server closed the connection before the response was complete',
      ),
      nothing && ex.reused,
    );
  }

  #onError(err: Error): void {
    this.dead = true;
    const ex = this.#ex;
    if (ex === null) return;
    const httpErr = toHttpError(err);
    this.#fail(httpErr, ex.reused && ex.bytesReceived === 0 && httpErr.code === 'ECONNRESET');
  }

  #onClose(): void {
    this.dead = true;
    const ex = this.#ex;
    if (ex !== null) {
      const nothing = ex.bytesReceived === 0;
      this.#fail(new HttpError('ECONNRESET', 'connection closed'), nothing && ex.reused);
    }
    const onClosed = this.onClosed;
    this.onClosed = null;
    if (onClosed !== null) onClosed(this);
  }

  #succeed(ex: Exchange, noLeftover: boolean): void {
    this.#ex = null;
    ex.scope.setHook(null);
    ex.marks.lastByteMs = performance.now();
    const p = this.#parser;
    let body: Buffer | null = null;
    if (ex.keepBody) {
      const chunks = ex.chunks;
      body =
        chunks.length === 0
          ? EMPTY_BODY
          : chunks.length === 1
            ? chunks[0]!
            : Buffer.concat(chunks, ex.bodyBytes);
    }
    ex.resolve({
      status: p.statusCode,
      statusText: p.statusText,
      headers: p.headers,
      trailers: p.trailers,
      body,
      bytesReceived: ex.bytesReceived,
      error: null,
      reusable: p.keepAlive && noLeftover && !this.dead,
      retryable: false,
    });
  }

  #fail(error: HttpError, retryable: boolean): void {
    const ex = this.#ex;
    if (ex === null) return;
    this.#ex = null;
    ex.scope.setHook(null);
    this.destroy();
    const p = this.#parser;
    const head = p.headersComplete;
    ex.resolve({
      status: head ? p.statusCode : 0,
      statusText: head ? p.statusText : '',
      headers: head ? p.headers : {},
      trailers: null,
      body: null,
      bytesReceived: ex.bytesReceived,
      error: toHttpError(error),
      reusable: false,
      retryable,
    });
  }
}
