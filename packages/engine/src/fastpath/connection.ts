// One fast-path connection: a raw socket, a ring of requests in flight (HTTP/1.1 pipelining keeps
// their responses in order), and a scanner. Everything runs from socket callbacks: no promise and
// no timer per request. The owner (a loop) decides what to send and when to reconnect.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Clock } from '../clock.ts';
import { toHttpError } from '../transport/http/errors.ts';
import type { FastRecorder, FastTimings } from './recorder.ts';
import { ResponseScanner } from './response-scanner.ts';
import type { CompiledTemplate, FastOrigin } from './template.ts';

/** What a connection tells the loop that owns it. */
export interface FastConnectionOwner {
  /** A request of template `tpl` got its outcome recorded (`failed`: error or status >= 400). */
  onRequestDone(conn: FastConnection, tpl: number, failed: boolean, errored: boolean): void;
  /** The connection is open and may take more requests. */
  onOpen(conn: FastConnection): void;
  /** The socket closed; requests still in the ring (after a `Connection: close`) were never answered. */
  onClosed(conn: FastConnection, failed: boolean): void;
}

/** Everything a connection shares with the other connections of its loop. */
export interface FastConnectionShared {
  origin: FastOrigin;
  /** The resolved address to connect to. */
  address: string;
  templates: readonly CompiledTemplate[];
  recorder: FastRecorder;
  clock: Clock;
  rejectUnauthorized: boolean;
  /** False closes the connection after every response (options.noConnectionReuse). */
  keepAlive: boolean;
  owner: FastConnectionOwner;
}

// Safe to share: a read is scanned synchronously and nothing keeps a reference to its bytes.
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

const CLOSED = 0;
const CONNECTING = 1;
const OPEN = 2;

const timings: FastTimings = {
  blockedMs: 0,
  connectingMs: 0,
  tlsMs: 0,
  sendingMs: 0,
  waitingMs: 0,
  receivingMs: 0,
  lagMs: 0,
};

/** A keep-alive connection with up to `capacity` pipelined requests in flight. */
export class FastConnection {
  /** Template the owner sends next (the position in the current iteration). */
  cursor = 0;
  /** Start of the current iteration (ms, clock time). */
  iterStartMs = 0;
  /** Intended-start lag of the current iteration (arrival loops). */
  lagMs = 0;
  /** Consecutive failed connects or connections (for the owner's backoff). */
  failures = 0;
  /** Requests in the ring: written, or waiting for the connection to open. */
  inflight = 0;
  /** The owner's index of this connection (its VU rank). */
  slot = -1;
  /** Iterations the owner started on this connection. */
  started = 0;
  /** Iterations of this connection whose last request got its outcome. */
  completed = 0;
  /** Whether the owner has this connection in its list of connections free for an arrival. */
  queued = false;
  readonly capacity: number;

  readonly #s: FastConnectionShared;
  readonly #scanner = new ResponseScanner();
  #socket: Socket | null = null;
  #state = CLOSED;
  #closing = false;
  #silent = false;
  #errorCode: string | null = null;
  #needReset = true;
  /** Responses completed on the current socket: a failure on a reused socket may be a stale close. */
  #exchanges = 0;
  #firstByteMs = 0;
  #connectStartMs = 0;
  #connectingMs = 0;
  #tlsMs = 0;
  #head = 0;
  #written = 0;
  readonly #tpl: Int32Array;
  readonly #sendMs: Float64Array;
  readonly #iterStart: Float64Array;
  readonly #lag: Float64Array;
  readonly #connMs: Float64Array;
  readonly #tlsRing: Float64Array;

  constructor(shared: FastConnectionShared, capacity: number) {
    this.#s = shared;
    this.capacity = capacity;
    this.#tpl = new Int32Array(capacity);
    this.#sendMs = new Float64Array(capacity);
    this.#iterStart = new Float64Array(capacity);
    this.#lag = new Float64Array(capacity);
    this.#connMs = new Float64Array(capacity);
    this.#tlsRing = new Float64Array(capacity);
  }

  /** Whether `send` may be called: connecting or open, not closing, with room in the ring. */
  get canSend(): boolean {
    return this.#state !== CLOSED && !this.#closing && this.inflight < this.capacity;
  }

  /** Whether a socket exists (connecting or open). */
  get active(): boolean {
    return this.#state !== CLOSED;
  }

  /** Opens the socket; requests already in the ring are written once it is open. */
  connect(): void {
    const s = this.#s;
    this.#state = CONNECTING;
    this.#closing = false;
    this.#errorCode = null;
    this.#needReset = true;
    this.#written = 0;
    this.#exchanges = 0;
    this.#connectStartMs = s.clock.now();
    this.#connectingMs = 0;
    this.#tlsMs = 0;
    let socket: Socket;
    if (s.origin.tls) {
      socket = tlsConnect({
        host: s.address,
        port: s.origin.port,
        rejectUnauthorized: s.rejectUnauthorized,
        ALPNProtocols: ['http/1.1'],
        ...(s.origin.servername !== undefined ? { servername: s.origin.servername } : {}),
      });
      socket.once('connect', () => {
        if (this.#socket === socket) this.#connectingMs = s.clock.now() - this.#connectStartMs;
      });
      socket.once('secureConnect', () => this.#onOpen(socket));
    } else {
      // Reads land in one buffer shared by the thread's connections (no Buffer, no stream event
      // per read): about a third less CPU per request than 'data' events.
      socket = netConnect({
        host: s.address,
        port: s.origin.port,
        onread: {
          buffer: READ_BUFFER,
          callback: (nread: number): boolean => {
            if (this.#socket === socket) this.#onData(READ_BUFFER.subarray(0, nread));
            return true;
          },
        },
      });
      socket.once('connect', () => this.#onOpen(socket));
    }
    this.#socket = socket;
    if (s.origin.tls) {
      socket.on('data', (chunk: Buffer) => {
        if (this.#socket === socket) this.#onData(chunk);
      });
    }
    socket.on('error', (err: Error) => {
      if (this.#socket !== socket || this.#errorCode !== null) return;
      const tlsFailure = s.origin.tls && this.#state === CONNECTING && this.#connectingMs > 0;
      this.#errorCode = tlsFailure ? 'ETLS' : toHttpError(err).code;
    });
    socket.once('close', () => {
      if (this.#socket === socket) this.#onClose();
    });
  }

  /** Queues a request of template `tpl` (the caller checked `canSend`); writes it when open. */
  send(tpl: number, iterStartMs: number, lagMs: number): void {
    const slot = (this.#head + this.inflight) % this.capacity;
    this.#tpl[slot] = tpl;
    this.#iterStart[slot] = iterStartMs;
    this.#lag[slot] = lagMs;
    this.#connMs[slot] = 0;
    this.#tlsRing[slot] = 0;
    this.inflight++;
    if (this.#state === OPEN) this.#write(slot, this.#s.clock.now());
  }

  #write(slot: number, nowMs: number): void {
    const bytes = this.#s.templates[this.#tpl[slot]!]!.bytes;
    this.#sendMs[slot] = nowMs;
    this.#written++;
    this.#socket!.write(bytes);
    this.#s.recorder.sent(bytes.length);
  }

  #onOpen(socket: Socket): void {
    if (this.#socket !== socket) return;
    const now = this.#s.clock.now();
    if (this.#s.origin.tls) this.#tlsMs = now - this.#connectStartMs - this.#connectingMs;
    else this.#connectingMs = now - this.#connectStartMs;
    this.#state = OPEN;
    socket.setNoDelay(true);
    socket.cork();
    for (let k = 0; k < this.inflight; k++) {
      const slot = (this.#head + k) % this.capacity;
      if (k === 0) {
        this.#connMs[slot] = this.#connectingMs;
        this.#tlsRing[slot] = this.#tlsMs;
      }
      this.#write(slot, now);
    }
    this.#s.owner.onOpen(this);
    socket.uncork();
  }

  #onData(chunk: Buffer): void {
    const s = this.#s;
    const now = s.clock.now();
    s.recorder.received(chunk.length);
    const socket = this.#socket!;
    const scanner = this.#scanner;
    socket.cork();
    let i = 0;
    const len = chunk.length;
    while (i < len && !this.#closing) {
      if (this.#written === 0) {
        this.#fail('EPARSE'); // bytes nobody asked for
        break;
      }
      if (this.#needReset) {
        scanner.reset(s.templates[this.#tpl[this.#head]!]!.expectBody);
        this.#needReset = false;
      }
      if (!scanner.started) this.#firstByteMs = now;
      try {
        i = scanner.execute(chunk, i);
      } catch {
        this.#fail('EPARSE');
        break;
      }
      if (scanner.complete) this.#complete(now);
    }
    socket.uncork();
  }

  #complete(now: number): void {
    const slot = this.#head;
    const tpl = this.#tpl[slot]!;
    const keepAlive = this.#scanner.keepAlive;
    timings.connectingMs = this.#connMs[slot]!;
    timings.tlsMs = this.#tlsRing[slot]!;
    timings.waitingMs = this.#firstByteMs - this.#sendMs[slot]!;
    timings.receivingMs = now - this.#firstByteMs;
    timings.lagMs = this.#lag[slot]!;
    const iterStart = this.#iterStart[slot]!;
    this.#head = (slot + 1) % this.capacity;
    this.inflight--;
    this.#written--;
    this.#needReset = true;
    this.#exchanges++;
    this.failures = 0;
    if (!keepAlive || !this.#s.keepAlive) {
      this.#closing = true;
      this.#socket!.destroy();
    }
    this.#finishRequest(tpl, this.#scanner.status, null, iterStart, now);
  }

  #finishRequest(
    tpl: number,
    status: number,
    code: string | null,
    iterStart: number,
    now: number,
  ): void {
    const s = this.#s;
    const failed = s.recorder.request(tpl, status, code, timings);
    if (tpl === s.templates.length - 1) s.recorder.iteration(now - iterStart + timings.lagMs);
    s.owner.onRequestDone(this, tpl, failed, code !== null);
  }

  /** Fails the requests in flight with `code` (recorded) and closes the socket. */
  #fail(code: string): void {
    if (this.#errorCode === null) this.#errorCode = code;
    this.#closing = true;
    this.#socket?.destroy();
  }

  #onClose(): void {
    const s = this.#s;
    const now = s.clock.now();
    const wasConnecting = this.#state === CONNECTING;
    this.#state = CLOSED;
    this.#socket = null;
    if (this.#silent) return;
    const graceful = this.#closing && this.#errorCode === null;
    if (!graceful && this.#written > 0 && this.#headStarted() && this.#scanner.finish()) {
      this.#complete(now); // a body delimited by the end of the connection
    }
    // A reused socket closed before any byte of the next response: the server dropped a kept-alive
    // connection as we wrote. Like the scripted client, resend on a fresh connection; a request
    // fails only on a connection that never answered, so this cannot loop.
    const stale =
      !graceful &&
      this.#exchanges > 0 &&
      !this.#headStarted() &&
      (this.#errorCode === null || this.#errorCode === 'ECONNRESET');
    if (graceful || stale || this.inflight === 0) {
      s.owner.onClosed(this, false);
      return;
    }
    const code = this.#errorCode ?? 'ECONNRESET';
    this.failures++;
    while (this.inflight > 0) {
      const slot = this.#head;
      const written = this.#written > 0;
      this.#fillFailureTimings(slot, written, now);
      this.#head = (slot + 1) % this.capacity;
      this.inflight--;
      if (written) this.#written--;
      this.#finishRequest(
        this.#tpl[slot]!,
        0,
        wasConnecting && code === 'ECONNRESET' ? 'ECONNREFUSED' : code,
        this.#iterStart[slot]!,
        now,
      );
    }
    s.owner.onClosed(this, true);
  }

  // After a complete response the scanner still holds it until the next reset: only bytes of
  // the oldest request's own response count as started.
  #headStarted(): boolean {
    return !this.#needReset && this.#scanner.started;
  }

  #fillFailureTimings(slot: number, written: boolean, now: number): void {
    timings.connectingMs = written ? this.#connMs[slot]! : now - this.#connectStartMs;
    timings.tlsMs = written ? this.#tlsRing[slot]! : 0;
    timings.waitingMs = written ? now - this.#sendMs[slot]! : 0;
    timings.receivingMs = 0;
    timings.lagMs = this.#lag[slot]!;
  }

  /**
   * Records every request in flight as failed with `code` (no iteration, no owner callback), then
   * closes the socket silently; returns how many were recorded. For interrupted iterations.
   */
  abort(code: string): number {
    const now = this.#s.clock.now();
    const n = this.inflight;
    for (let k = 0; k < n; k++) {
      const slot = (this.#head + k) % this.capacity;
      this.#fillFailureTimings(slot, k < this.#written, now);
      this.#s.recorder.request(this.#tpl[slot]!, 0, code, timings);
    }
    this.inflight = 0;
    this.#written = 0;
    this.#head = 0;
    this.destroy(true);
    return n;
  }

  /** Fails the requests in flight with ETIMEDOUT when the oldest has waited over `timeoutMs`. */
  checkTimeout(nowMs: number, timeoutMs: number): void {
    if (this.inflight === 0 || this.#state === CLOSED || this.#closing) return;
    const since = this.#written > 0 ? this.#sendMs[this.#head]! : this.#connectStartMs;
    if (nowMs - since > timeoutMs) this.#fail('ETIMEDOUT');
  }

  /** Closes the socket; with `silent`, requests in flight are dropped unrecorded and the owner is not told. */
  destroy(silent: boolean): void {
    if (silent) this.#silent = true;
    this.#closing = true;
    this.#socket?.destroy();
  }
}
