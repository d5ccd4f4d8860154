// Open model: each arrival starts an iteration at its intended time on a free connection (opening
// one up to `maxConnections`), or is dropped. One timer wakes for the next arrival and dispatches
// everything due. http_req_duration counts from the intended time (coordinated-omission corrected).
import type { CancelTimer } from '../clock.ts';
import type { FastConnection, FastConnectionOwner } from './connection.ts';
import { abortConnections, backoffMs, emptyCounts, setUpLoop, sweepTimeouts } from './shared.ts';
import type { FastLoopCounts, FastLoopOptions } from './types.ts';

/** Intended arrival times in ms from the loop's start, ascending: an iterable, or a function of the arrival index returning undefined at the end. */
export type ArrivalSchedule = Iterable<number> | ((index: number) => number | undefined);

/** Options of `runArrivalLoop`. */
export interface ArrivalLoopOptions extends FastLoopOptions {
  schedule: ArrivalSchedule;
  maxConnections: number;
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
  const counts = emptyCounts();
  const pull = puller(options.schedule);
  const limitMs = options.durationMs ?? Infinity;
  const idle: FastConnection[] = [];
  const pool = new Set<FastConnection>();
  const reconnects = new Map<FastConnection, CancelTimer>();
  let scheduleDone = false;
  let finish: () => void = () => {};

  const sendNext = (conn: FastConnection): void => {
    conn.send(conn.cursor, conn.iterStartMs, conn.lagMs);
    conn.cursor = (conn.cursor + 1) % setup.templateCount;
  };
  const open = (conn: FastConnection): void => {
    reconnects.delete(conn);
    counts.connects++;
    conn.connect();
  };
  const checkDone = (): void => {
    if (!scheduleDone) return;
    for (const c of pool) if (c.inflight > 0 || c.cursor !== 0) return;
    finish();
  };
  const owner: FastConnectionOwner = {
    onRequestDone(conn, tpl, failed, errored) {
      counts.requests++;
      if (errored) counts.errors++;
      else if (failed) counts.httpErrors++;
      if (tpl === setup.templateCount - 1) counts.iterations++;
      if (conn.cursor !== 0) {
        if (conn.canSend) sendNext(conn);
        return; // otherwise the iteration goes on once the connection reopens
      }
      if (conn.canSend) idle.push(conn);
      checkDone();
    },
    onOpen(conn) {
      if (conn.inflight === 0 && conn.cursor !== 0) sendNext(conn);
    },
    onClosed(conn, failed) {
      const at = idle.indexOf(conn);
      if (at >= 0) idle.splice(at, 1);
      if (conn.cursor === 0 && conn.inflight === 0) {
        pool.delete(conn);
        checkDone();
        return;
      }
      // Mid-iteration: reopen and carry on with the iteration's next request.
      const delay = failed ? backoffMs(conn.failures) : 0;
      reconnects.set(
        conn,
        setup.clock.setTimer(() => open(conn), delay),
      );
    },
  };
  const setup = await setUpLoop(options, true, owner);
  const { clock, recorder } = setup;

  const dispatch = (intendedMs: number, nowMs: number): void => {
    let conn = idle.pop();
    if (conn === undefined) {
      if (pool.size >= options.maxConnections) {
        counts.dropped++;
        recorder.dropped(1);
        return;
      }
      conn = setup.newConnection(1);
      pool.add(conn);
      open(conn);
    }
    conn.cursor = 0;
    conn.iterStartMs = nowMs;
    conn.lagMs = Math.max(0, nowMs - intendedMs);
    recorder.sendLag(conn.lagMs);
    sendNext(conn);
  };

  const startMs = clock.now();
  let next = pull();
  let timer = null as CancelTimer | null;
  const wake = (): void => {
    timer = null;
    const now = clock.now();
    const rel = now - startMs;
    while (next !== undefined && next <= rel && next < limitMs) {
      dispatch(startMs + next, now);
      next = pull();
    }
    if (next === undefined || next >= limitMs) {
      scheduleDone = true;
      checkDone();
      return;
    }
    timer = clock.setTimer(wake, next - rel);
  };

  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const signal = options.signal;
  const onAbort = (): void => {
    scheduleDone = true;
    timer?.();
    abortConnections(pool, reconnects, counts);
    finish();
  };
  if (signal?.aborted) return counts;
  signal?.addEventListener('abort', onAbort, { once: true });
  const sweep = sweepTimeouts(clock, pool, options.timeoutMs);
  wake();
  await done;
  timer?.();
  sweep();
  signal?.removeEventListener('abort', onAbort);
  for (const c of pool) c.destroy(true);
  return counts;
}
