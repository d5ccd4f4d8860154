// Closed model: N connections, each sending its next request as soon as a response (or error)
// frees a slot, with up to `pipelining` requests in flight per connection.
import type { CancelTimer } from '../clock.ts';
import type { FastConnection, FastConnectionOwner } from './connection.ts';
import { abortConnections, backoffMs, emptyCounts, setUpLoop, sweepTimeouts } from './shared.ts';
import type { FastLoopCounts, FastLoopOptions } from './types.ts';

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
  const counts = emptyCounts();
  const pipelining = Math.max(1, Math.floor(options.pipelining ?? 1));
  if (options.durationMs === undefined && options.iterations === undefined) {
    throw new TypeError('runClosedLoop needs durationMs or iterations');
  }
  let budget = options.iterations ?? Infinity;
  let stopping = false;
  let finish: () => void = () => {};
  const conns: FastConnection[] = [];
  const reconnects = new Map<FastConnection, CancelTimer>();

  const fill = (conn: FastConnection): void => {
    const now = setup.clock.now();
    while (conn.canSend) {
      if (conn.cursor === 0) {
        if (stopping || budget <= 0) return;
        budget--;
        conn.iterStartMs = now;
      }
      conn.send(conn.cursor, conn.iterStartMs, 0);
      conn.cursor = (conn.cursor + 1) % setup.templateCount;
    }
  };
  const open = (conn: FastConnection): void => {
    reconnects.delete(conn);
    if ((stopping || budget <= 0) && conn.inflight === 0 && conn.cursor === 0) return checkDone();
    counts.connects++;
    conn.connect();
    fill(conn);
  };
  const checkDone = (): void => {
    if (!stopping && budget > 0) return;
    stopping = true;
    for (const c of conns) {
      if (c.inflight > 0 || c.cursor !== 0) return;
    }
    if (reconnects.size > 0) {
      // Only idle connections wait for a reconnect: nothing is left to do on them.
      for (const cancel of reconnects.values()) cancel();
      reconnects.clear();
    }
    finish();
  };
  const owner: FastConnectionOwner = {
    onRequestDone(conn, tpl, failed, errored) {
      counts.requests++;
      if (errored) counts.errors++;
      else if (failed) counts.httpErrors++;
      if (tpl === setup.templateCount - 1) counts.iterations++;
      fill(conn);
      if ((stopping || budget <= 0) && conn.inflight === 0) checkDone();
    },
    onOpen(conn) {
      fill(conn);
    },
    onClosed(conn, failed) {
      if ((stopping || budget <= 0) && conn.inflight === 0 && conn.cursor === 0) return checkDone();
      const delay = failed ? backoffMs(conn.failures) : 0;
      reconnects.set(
        conn,
        setup.clock.setTimer(() => open(conn), delay),
      );
    },
  };
  const setup = await setUpLoop(options, false, owner);

  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const signal = options.signal;
  const onAbort = (): void => {
    stopping = true;
    budget = 0;
    abortConnections(conns, reconnects, counts);
    finish();
  };
  if (signal?.aborted) return counts;
  signal?.addEventListener('abort', onAbort, { once: true });
  const stopTimer =
    options.durationMs === undefined
      ? null
      : setup.clock.setTimer(() => {
          stopping = true;
          checkDone();
        }, options.durationMs);
  const sweep = sweepTimeouts(setup.clock, conns, options.timeoutMs);

  for (let k = 0; k < Math.max(1, options.connections); k++) {
    const conn = setup.newConnection(pipelining);
    conns.push(conn);
    open(conn);
  }
  checkDone();
  await done;
  stopTimer?.();
  sweep();
  signal?.removeEventListener('abort', onAbort);
  for (const c of conns) c.destroy(true);
  return counts;
}
