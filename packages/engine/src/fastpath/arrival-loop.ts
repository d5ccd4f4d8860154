// Open model: each arrival starts an iteration at its intended time on a free connection (opening
// one up to `maxConnections`), or is dropped. http_req_duration counts from the intended time
// (coordinated-omission corrected). The ArrivalLoop only dispatches; who wakes it for the due
// arrivals is the caller's business (runArrivalLoop here, the arrival-rate executor adapter).
import { systemClock } from '../clock.ts';
import type { CancelTimer } from '../clock.ts';
import type { FastConnection, FastConnectionOwner } from './connection.ts';
import {
  abortConnections,
  backoffMs,
  buildLoop,
  emptyCounts,
  resolveTemplates,
  sweepTimeouts,
  countRequestDone,
} from './shared.ts';
import type { LoopContext, LoopSetup, ResolvedTemplates } from './shared.ts';
import type { FastLoopCounts, FastLoopOptions } from './types.ts';

/** Limits and callbacks of an ArrivalLoop. */
export interface ArrivalLoopConfig {
  /** Connections (VUs) the loop may open. */
  maxConnections: number;
  /** Requests in flight per connection; with more than 1 a connection takes a new arrival while earlier ones are in flight. */
  pipelining: number;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** An iteration completed and none is pending. */
  onQuiet(): void;
  /** The number of busy connections may have changed. */
  onBusyChange?(): void;
  /**
   * A response was handled: the owner may dispatch arrivals that fell due meanwhile, so their
   * start does not wait for the next timer (whose granularity is 1 ms).
   */
  onSettled?(): void;
}

/** Starts iterations at their arrival on free connections; see ArrivalLoopConfig. */
export class ArrivalLoop {
  /** Requests, iterations and drops so far. */
  readonly counts: FastLoopCounts = emptyCounts();
  /** Iterations started. */
  started = 0;
  /** Iterations cut short by `abort`. */
  interruptedIterations = 0;
  /** Connections with an iteration in flight. */
  busy = 0;
  /** Most connections open at once. */
  peakConnections = 0;
  readonly #setup: LoopSetup;
  readonly #cfg: ArrivalLoopConfig;
  readonly #pool = new Set<FastConnection>();
  // Connections that can take an arrival, most recently freed on top (a small, warm working set).
  // Entries are checked when taken: a connection that closed meanwhile is skipped.
  readonly #available: FastConnection[] = [];
  readonly #reconnects = new Map<FastConnection, CancelTimer>();
  readonly #cancelSweep: CancelTimer;
  // Connections opened by `preopen` that are neither open nor closed yet.
  readonly #opening = new Set<FastConnection>();
  #openingDone: (() => void) | null = null;
  #aborted = false;

  constructor(resolved: ResolvedTemplates, context: LoopContext, config: ArrivalLoopConfig) {
    this.#cfg = { ...config, pipelining: Math.max(1, Math.floor(config.pipelining)) };
    this.#setup = buildLoop(resolved, context, this.#owner());
    this.#cancelSweep = sweepTimeouts(context.clock, this.#pool, config.timeoutMs);
  }

  /** Iterations started and neither completed nor interrupted. */
  get pending(): number {
    return this.started - this.counts.iterations - this.interruptedIterations;
  }

  /**
   * Opens `count` connections before the first arrival (the pre-allocated VUs), so the first
   * arrivals find one ready instead of each paying for a connect; resolves when every one is open
   * or closed, or after `waitMs`. A connection that fails here records nothing.
   */
  preopen(count: number, waitMs: number): Promise<void> {
    const n = Math.min(count, this.#cfg.maxConnections - this.#pool.size);
    for (let i = 0; i < n && !this.#aborted; i++) {
      const conn = this.#addConnection();
      this.#opening.add(conn);
      this.#open(conn);
    }
    if (this.#opening.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = this.#setup.clock.setTimer(() => this.#openingDone?.(), waitMs);
      this.#openingDone = () => {
        cancel();
        this.#opening.clear();
        this.#openingDone = null;
        resolve();
      };
    });
  }

  /** Starts the iteration due at clock time `intendedMs` now (`nowMs`); false when it was dropped. */
  dispatch(intendedMs: number, nowMs: number): boolean {
    let conn = this.#available.pop();
    while (conn !== undefined) {
      conn.queued = false;
      if (conn.canSend && conn.cursor === 0) break;
      conn = this.#available.pop();
    }
    if (conn === undefined) {
      if (this.#pool.size >= this.#cfg.maxConnections) {
        this.counts.dropped++;
        this.#setup.recorder.dropped(1);
        return false;
      }
      conn = this.#addConnection();
      this.#open(conn);
    }
    conn.iterStartMs = nowMs;
    conn.lagMs = Math.max(0, nowMs - intendedMs);
    this.#setup.recorder.sendLag(conn.lagMs);
    this.started++;
    conn.started++;
    if (conn.started - conn.completed === 1) this.#busyDelta(1);
    this.#sendNext(conn);
    this.#carryOn(conn);
    return true;
  }

  /** Stops at once; with `recordCode` the requests in flight are recorded as failed with it. */
  abort(recordCode: string | null): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#openingDone?.();
    this.interruptedIterations += this.pending;
    abortConnections(this.#pool, this.#reconnects, this.counts, recordCode);
    if (this.busy !== 0) this.#busyDelta(-this.busy);
  }

  /** Closes every connection and stops the timeout sweep; nothing is recorded any more. */
  dispose(): void {
    this.#aborted = true;
    this.#openingDone?.();
    this.#cancelSweep();
    for (const cancel of this.#reconnects.values()) cancel();
    this.#reconnects.clear();
    for (const c of this.#pool) c.destroy(true);
  }

  #sendNext(conn: FastConnection): void {
    conn.send(conn.cursor, conn.iterStartMs, conn.lagMs);
    conn.cursor = (conn.cursor + 1) % this.#setup.templateCount;
  }

  /** Sends what the current iteration still may, then offers the connection to the next arrival. */
  #carryOn(conn: FastConnection): void {
    while (conn.cursor !== 0 && conn.canSend) this.#sendNext(conn);
    if (conn.cursor === 0 && conn.canSend && !conn.queued) {
      conn.queued = true;
      this.#available.push(conn);
    }
  }

  #addConnection(): FastConnection {
    const conn = this.#setup.newConnection(this.#cfg.pipelining);
    conn.slot = this.#pool.size;
    this.#pool.add(conn);
    if (this.#pool.size > this.peakConnections) this.peakConnections = this.#pool.size;
    return conn;
  }

  #opened(conn: FastConnection): void {
    if (this.#opening.delete(conn) && this.#opening.size === 0) this.#openingDone?.();
  }

  #open(conn: FastConnection): void {
    this.#reconnects.delete(conn);
    if (this.#aborted) return;
    this.counts.connects++;
    conn.connect();
  }

  #busyDelta(delta: number): void {
    this.busy += delta;
    this.#cfg.onBusyChange?.();
  }

  #owner(): FastConnectionOwner {
    const idle = (): void => this.#busyDelta(-1);
    return {
      onRequestDone: (conn, tpl, failed, errored) => {
        const last = tpl === this.#setup.templateCount - 1;
        countRequestDone(this.counts, conn, last, failed, errored, idle);
        if (this.#aborted) return;
        // Otherwise the iteration goes on once the connection reopens.
        this.#carryOn(conn);
        if (last && this.pending === 0) this.#cfg.onQuiet();
        this.#cfg.onSettled?.();
      },
      onOpen: (conn) => {
        this.#opened(conn);
        this.#carryOn(conn);
      },
      onClosed: (conn, failed) => {
        this.#opened(conn);
        if (this.#aborted) return;
        if (conn.cursor === 0 && conn.inflight === 0) {
          this.#pool.delete(conn);
          return;
        }
        // Mid-iteration: reopen and carry on with the iteration's next request.
        const delay = failed ? backoffMs(conn.failures) : 0;
        this.#reconnects.set(
          conn,
          this.#setup.clock.setTimer(() => this.#open(conn), delay),
        );
      },
    };
  }
}

/** Intended arrival times in ms from the loop's start, ascending: an iterable, or a function of the arrival index returning undefined at the end. */
export type ArrivalSchedule = Iterable<number> | ((index: number) => number | undefined);

/** Options of `runArrivalLoop`. */
export interface ArrivalLoopOptions extends FastLoopOptions {
  schedule: ArrivalSchedule;
  maxConnections: number;
  /** Requests in flight per connection; 1 when absent. */
  pipelining?: number;
  /** No arrival starts after this many ms, whatever the schedule says. */
  durationMs?: number;
}

/** Arrivals every 1000/`ratePerSec` ms from 0 up to (not including) `durationMs`. */
export function constantRate(ratePerSec: number, durationMs: number): ArrivalSchedule {
  const gapMs = 1000 / ratePerSec;
  return (index) => (index * gapMs < durationMs ? index * gapMs : undefined);
}

function puller(schedule: ArrivalSchedule): () => number | undefined {
  if (typeof schedule === 'function') {
    let index = 0;
    return () => schedule(index++);
  }
  const it = schedule[Symbol.iterator]();
  return () => {
    const r = it.next();
    return r.done === true ? undefined : r.value;
  };
}

/** Runs arrivals until the schedule (or `durationMs`) ends and every started iteration settles. */
export async function runArrivalLoop(options: ArrivalLoopOptions): Promise<FastLoopCounts> {
  const pull = puller(options.schedule);
  const limitMs = options.durationMs ?? Infinity;
  const resolved = await resolveTemplates(options.templates, options.userAgent ?? '');
  const clock = options.clock ?? systemClock;
  let scheduleDone = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const loop = new ArrivalLoop(
    resolved,
    {
      registry: options.registry,
      tags: options.tags,
      clock,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      corrected: true,
    },
    {
      maxConnections: options.maxConnections,
      pipelining: options.pipelining ?? 1,
      timeoutMs: options.timeoutMs,
      onQuiet: () => {
        if (scheduleDone) finish();
      },
    },
  );

  const startMs = clock.now();
  let next = pull();
  let timer = null as CancelTimer | null;
  const wake = (): void => {
    timer = null;
    const now = clock.now();
    const rel = now - startMs;
    while (next !== undefined && next <= rel && next < limitMs) {
      loop.dispatch(startMs + next, now);
      next = pull();
    }
    if (next === undefined || next >= limitMs) {
      scheduleDone = true;
      if (loop.pending === 0) finish();
      return;
    }
    timer = clock.setTimer(wake, next - rel);
  };

  const signal = options.signal;
  const onAbort = (): void => {
    scheduleDone = true;
    timer?.();
    loop.abort(null);
    finish();
  };
  if (signal?.aborted) {
    loop.dispose();
    return loop.counts;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  wake();
  await done;
  timer?.();
  signal?.removeEventListener('abort', onAbort);
  loop.dispose();
  return loop.counts;
}
