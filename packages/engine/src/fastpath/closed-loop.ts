// Closed model: connections (VUs) each send their next request as soon as a response (or error)
// frees a slot, with up to `pipelining` requests in flight per connection. The ClosedLoop is
// driven from outside (which connections may start iterations, when starting stops), so every
// closed-model executor maps onto it; runClosedLoop is the plain duration/iterations use.
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

/** How a ClosedLoop may start iterations; Infinity means no limit. */
export interface ClosedLoopConfig {
  /** Connections (VUs) the loop may open, in slot order 0..connections-1. */
  connections: number;
  /** Requests in flight per connection (HTTP/1.1 pipelining), at least 1. */
  pipelining: number;
  /** Iterations shared by all connections. */
  iterations: number;
  /** Iterations each connection may start. */
  perConnectionIterations: number;
  /** No iteration starts at or after this clock time, in ms. */
  deadlineMs: number;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** An iteration completed, none is pending and none can start now (see `pending`, `canStart`). */
  onQuiet(): void;
  /** The number of busy connections may have changed. */
  onBusyChange?(): void;
}

/** A closed-model request loop over up to `connections` connections; see ClosedLoopConfig. */
export class ClosedLoop {
  /** Requests and iterations so far. */
  readonly counts: FastLoopCounts = emptyCounts();
  /** Iterations started. */
  started = 0;
  /** Iterations cut short by `interrupt` or `abort`. */
  interruptedIterations = 0;
  /** Connections with an iteration in flight. */
  busy = 0;
  readonly #setup: LoopSetup;
  readonly #cfg: ClosedLoopConfig;
  readonly #conns: FastConnection[] = [];
  readonly #reconnects = new Map<FastConnection, CancelTimer>();
  readonly #cancelSweep: CancelTimer;
  #enabled = 0;
  #budget: number;
  #exhausted = 0;
  #stopping = false;
  #aborted = false;

  constructor(resolved: ResolvedTemplates, context: LoopContext, config: ClosedLoopConfig) {
    this.#cfg = { ...config, pipelining: Math.max(1, Math.floor(config.pipelining)) };
    this.#budget = config.iterations;
    this.#setup = buildLoop(resolved, context, this.#owner());
    this.#cancelSweep = sweepTimeouts(context.clock, this.#conns, config.timeoutMs);
  }

  /** Iterations started and neither completed nor interrupted. */
  get pending(): number {
    return this.started - this.counts.iterations - this.interruptedIterations;
  }

  /** Whether some connection may start an iteration now. */
  get canStart(): boolean {
    return (
      !this.#stopping &&
      this.#budget > 0 &&
      this.#exhausted < this.#enabled &&
      this.#setup.clock.now() < this.#cfg.deadlineMs
    );
  }

  /** Connections opened so far (allocated VUs). */
  get connections(): number {
    return this.#conns.length;
  }

  /** Connections that may start iterations and have not used up their own budget. */
  get startable(): number {
    return this.#enabled - this.#exhausted;
  }

  /** Lets connections 0..count-1 start iterations; the others finish what they started, then idle. */
  setEnabled(count: number): void {
    const previous = this.#enabled;
    this.#enabled = Math.min(count, this.#cfg.connections);
    for (let k = previous; k < this.#enabled; k++) {
      let conn = this.#conns[k];
      if (conn === undefined) {
        conn = this.#setup.newConnection(this.#cfg.pipelining);
        conn.slot = k;
        this.#conns.push(conn);
      }
      if (conn.active) this.#fill(conn);
      else if (!this.#reconnects.has(conn)) this.#open(conn);
    }
  }

  /** Whether connection `slot` has an iteration in flight. */
  isBusy(slot: number): boolean {
    const conn = this.#conns[slot];
    return conn !== undefined && conn.started > conn.completed;
  }

  /** No new iterations from now on; those in flight go on. */
  stopStarting(): void {
    this.#stopping = true;
  }

  /** Interrupts connection `slot`'s iterations (requests recorded as EABORTED); it starts afresh if enabled again. */
  interrupt(slot: number): void {
    const old = this.#conns[slot];
    if (old === undefined || old.started === old.completed) return;
    this.#reconnects.get(old)?.();
    this.#reconnects.delete(old);
    this.interruptedIterations += old.started - old.completed;
    this.counts.interrupted += old.abort('EABORTED');
    const conn = this.#setup.newConnection(this.#cfg.pipelining);
    conn.slot = slot;
    conn.started = conn.completed = old.started;
    this.#conns[slot] = conn;
    this.#busyDelta(-1);
    if (slot < this.#enabled) this.#open(conn);
  }

  /** Stops at once; with `recordCode` the requests in flight are recorded as failed with it. */
  abort(recordCode: string | null): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#stopping = true;
    this.interruptedIterations += this.pending;
    abortConnections(this.#conns, this.#reconnects, this.counts, recordCode);
    if (this.busy !== 0) this.#busyDelta(-this.busy);
  }

  /** Closes every connection and stops the timeout sweep; nothing is recorded any more. */
  dispose(): void {
    this.#aborted = true;
    this.#cancelSweep();
    for (const cancel of this.#reconnects.values()) cancel();
    this.#reconnects.clear();
    for (const c of this.#conns) c.destroy(true);
  }

  #mayStart(conn: FastConnection, nowMs: number): boolean {
    return (
      !this.#stopping &&
      this.#budget > 0 &&
      conn.slot < this.#enabled &&
      conn.started < this.#cfg.perConnectionIterations &&
      nowMs < this.#cfg.deadlineMs
    );
  }

  #hasWork(conn: FastConnection): boolean {
    return conn.inflight > 0 || conn.cursor !== 0;
  }

  #fill(conn: FastConnection): void {
    const setup = this.#setup;
    const now = setup.clock.now();
    while (conn.canSend) {
      if (conn.cursor === 0) {
        if (!this.#mayStart(conn, now)) return;
        this.#budget--;
        this.started++;
        conn.started++;
        if (conn.started === this.#cfg.perConnectionIterations) this.#exhausted++;
        if (conn.started - conn.completed === 1) this.#busyDelta(1);
        conn.iterStartMs = now;
      }
      conn.send(conn.cursor, conn.iterStartMs, 0);
      conn.cursor = (conn.cursor + 1) % setup.templateCount;
    }
  }

  #open(conn: FastConnection): void {
    this.#reconnects.delete(conn);
    if (this.#aborted) return;
    if (!this.#hasWork(conn) && !this.#mayStart(conn, this.#setup.clock.now())) return;
    this.counts.connects++;
    conn.connect();
    this.#fill(conn);
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
        this.#fill(conn);
        if (last && this.pending === 0 && !this.canStart) this.#cfg.onQuiet();
      },
      onOpen: (conn) => this.#fill(conn),
      onClosed: (conn, failed) => {
        if (this.#aborted) return;
        // An idle connection that may not start anything stays closed until it is needed.
        if (!this.#hasWork(conn) && !this.#mayStart(conn, this.#setup.clock.now())) return;
        const delay = failed ? backoffMs(conn.failures) : 0;
        this.#reconnects.set(
          conn,
          this.#setup.clock.setTimer(() => this.#open(conn), delay),
        );
      },
    };
  }
}

/** Options of `runClosedLoop`: give `durationMs`, `iterations`, or both (whichever ends first). */
export interface ClosedLoopOptions extends FastLoopOptions {
  connections: number;
  /** Requests in flight per connection (HTTP/1.1 pipelining); 1 when absent. */
  pipelining?: number;
  /** Stop starting iterations after this many ms. */
  durationMs?: number;
  /** Total passes over the templates, shared by all connections. */
  iterations?: number;
}

/** Runs the closed loop until the duration or iteration budget ends and in-flight requests settle. */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<FastLoopCounts> {
  if (options.durationMs === undefined && options.iterations === undefined) {
    throw new TypeError('runClosedLoop needs durationMs or iterations');
  }
  const resolved = await resolveTemplates(options.templates, options.userAgent ?? '');
  const clock = options.clock ?? systemClock;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const startMs = clock.now();
  const loop = new ClosedLoop(
    resolved,
    {
      registry: options.registry,
      tags: options.tags,
      clock,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      corrected: false,
    },
    {
      connections: Math.max(1, options.connections),
      pipelining: options.pipelining ?? 1,
      iterations: options.iterations ?? Infinity,
      perConnectionIterations: Infinity,
      deadlineMs: options.durationMs === undefined ? Infinity : startMs + options.durationMs,
      timeoutMs: options.timeoutMs,
      onQuiet: () => finish(),
    },
  );
  const signal = options.signal;
  if (signal?.aborted) {
    loop.dispose();
    return loop.counts;
  }
  const onAbort = (): void => {
    loop.abort(null);
    finish();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const stopTimer =
    options.durationMs === undefined
      ? null
      : clock.setTimer(() => {
          loop.stopStarting();
          if (loop.pending === 0) finish();
        }, options.durationMs);
  loop.setEnabled(Math.max(1, options.connections));
  if (loop.pending === 0 && !loop.canStart) finish();
  await done;
  stopTimer?.();
  signal?.removeEventListener('abort', onAbort);
  loop.dispose();
  return loop.counts;
}
