import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { systemClock } from '../clock.ts';
import type { CancelTimer, Clock } from '../clock.ts';
import { FastConnection } from './connection.ts';
import type { FastConnectionOwner } from './connection.ts';
import { FastRecorder } from './recorder.ts';
import { compileTemplates } from './template.ts';
import type { FastLoopCounts, FastLoopOptions } from './types.ts';

/** Delay before reconnecting after `failures` consecutive failures, in ms (10 ms doubling to 1 s). */
export function backoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(1000, 10 * 2 ** Math.min(failures - 1, 7));
}

/** Fresh zero counts. */
export function emptyCounts(): FastLoopCounts {
  return {
    requests: 0,
    errors: 0,
    httpErrors: 0,
    iterations: 0,
    dropped: 0,
    connects: 0,
    interrupted: 0,
  };
}

/** What both loops set up before they run: compiled templates, the address, the recorder. */
export interface LoopSetup {
  clock: Clock;
  recorder: FastRecorder;
  newConnection(capacity: number): FastConnection;
  templateCount: number;
}

/** Compiles the templates, resolves the host once, and builds a connection factory for `owner`. */
export async function setUpLoop(
  options: FastLoopOptions,
  corrected: boolean,
  owner: FastConnectionOwner,
): Promise<LoopSetup> {
  const clock = options.clock ?? systemClock;
  const { origin, templates } = compileTemplates(options.templates, options.userAgent ?? '');
  const recorder = new FastRecorder(options.registry, templates, options.tags, corrected);
  let address = origin.host;
  if (isIP(address) === 0) address = (await lookup(address)).address;
  const shared = {
    origin,
    address,
    templates,
    recorder,
    clock,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    owner,
  };
  return {
    clock,
    recorder,
    newConnection: (capacity) => new FastConnection(shared, capacity),
    templateCount: templates.length,
  };
}

/** Calls `fn` every `periodMs` until cancelled, through the loop's clock. */
export function every(clock: Clock, periodMs: number, fn: () => void): CancelTimer {
  let cancel: CancelTimer | null = null;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    fn();
    if (!stopped) cancel = clock.setTimer(tick, periodMs);
  };
  cancel = clock.setTimer(tick, periodMs);
  return () => {
    stopped = true;
    cancel?.();
  };
}

/** Checks every connection for timed-out requests, at a period derived from the request timeout. */
export function sweepTimeouts(
  clock: Clock,
  conns: Iterable<FastConnection>,
  timeoutMs: number,
): CancelTimer {
  return every(clock, Math.max(5, Math.min(250, timeoutMs / 4)), () => {
    const now = clock.now();
    for (const c of conns) c.checkTimeout(now, timeoutMs);
  });
}

/** Destroys every connection at once (abort), counting its requests in flight as interrupted. */
export function abortConnections(
  conns: Iterable<FastConnection>,
  reconnects: Map<unknown, CancelTimer>,
  counts: FastLoopCounts,
): void {
  for (const c of conns) {
    counts.interrupted += c.inflight;
    c.destroy(true);
  }
  for (const cancel of reconnects.values()) cancel();
  reconnects.clear();
}
