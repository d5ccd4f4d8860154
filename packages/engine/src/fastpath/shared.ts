import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { systemClock } from '../clock.ts';
import type { CancelTimer, Clock } from '../clock.ts';
import { FastConnection } from './connection.ts';
import type { FastConnectionOwner } from './connection.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import { FastRecorder } from './recorder.ts';
import { compileTemplates } from './template.ts';
import type { CompiledTemplate, FastOrigin } from './template.ts';
import type { FastLoopCounts, FastLoopOptions, FastRequestTemplate } from './types.ts';

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

/** Counts one finished request of `conn` (and its iteration when `isLast`); calls `onIdle` when that left the connection with no iteration running. */
export function countRequestDone(
  counts: FastLoopCounts,
  conn: FastConnection,
  isLast: boolean,
  failed: boolean,
  errored: boolean,
  onIdle: () => void,
): void {
  counts.requests++;
  if (errored) counts.errors++;
  else if (failed) counts.httpErrors++;
  if (isLast) {
    counts.iterations++;
    conn.completed++;
    if (conn.completed === conn.started) onIdle();
  }
}

/** Templates compiled and their host resolved: everything a loop needs that may take time. */
export interface ResolvedTemplates {
  origin: FastOrigin;
  /** The address connections go to (the host name itself when it did not resolve). */
  address: string;
  templates: CompiledTemplate[];
  keepAlive: boolean;
}

/** Compiles the templates and resolves the host once (throws HttpError 'EINVALID' for bad templates). */
export async function resolveTemplates(
  templates: readonly FastRequestTemplate[],
  userAgent: string,
  keepAlive = true,
): Promise<ResolvedTemplates> {
  const { origin, templates: compiled } = compileTemplates(templates, userAgent, keepAlive);
  let address = origin.host;
  if (isIP(address) === 0) {
    // Unresolvable: every connect then fails with ENOTFOUND, recorded per request.
    address = await lookup(address).then(
      (r) => r.address,
      () => address,
    );
  }
  return { origin, address, templates: compiled, keepAlive };
}

/** What both loops set up before they run: compiled templates, the address, the recorder. */
export interface LoopSetup {
  clock: Clock;
  recorder: FastRecorder;
  newConnection(capacity: number): FastConnection;
  templateCount: number;
}

/** What a loop records into and how it connects, besides its resolved templates. */
export interface LoopContext {
  registry: MetricRegistry;
  tags: Readonly<Record<string, string>>;
  clock: Clock;
  rejectUnauthorized: boolean;
  /** Adds http_req_service_time and the intended-start lag (arrival loops). */
  corrected: boolean;
}

/** Builds the recorder and the connection factory of one loop owned by `owner`. */
export function buildLoop(
  resolved: ResolvedTemplates,
  context: LoopContext,
  owner: FastConnectionOwner,
): LoopSetup {
  const { templates } = resolved;
  const recorder = new FastRecorder(context.registry, templates, context.tags, context.corrected);
  const shared = {
    origin: resolved.origin,
    address: resolved.address,
    templates,
    recorder,
    clock: context.clock,
    rejectUnauthorized: context.rejectUnauthorized,
    keepAlive: resolved.keepAlive,
    owner,
  };
  return {
    clock: context.clock,
    recorder,
    newConnection: (capacity) => new FastConnection(shared, capacity),
    templateCount: templates.length,
  };
}

/** Compiles the templates, resolves the host once, and builds a connection factory for `owner`. */
export async function setUpLoop(
  options: FastLoopOptions,
  corrected: boolean,
  owner: FastConnectionOwner,
): Promise<LoopSetup> {
  const resolved = await resolveTemplates(options.templates, options.userAgent ?? '');
  const context: LoopContext = {
    registry: options.registry,
    tags: options.tags,
    clock: options.clock ?? systemClock,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    corrected,
  };
  return buildLoop(resolved, context, owner);
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

/**
 * Destroys every connection at once (abort), counting its requests in flight as interrupted; with
 * `recordCode` they are also recorded as failed with that error code (as the scripted path does).
 */
export function abortConnections(
  conns: Iterable<FastConnection>,
  reconnects: Map<unknown, CancelTimer>,
  counts: FastLoopCounts,
  recordCode: string | null = null,
): void {
  for (const c of conns) {
    if (recordCode === null) {
      counts.interrupted += c.inflight;
      c.destroy(true);
    } else {
      counts.interrupted += c.abort(recordCode);
    }
  }
  for (const cancel of reconnects.values()) cancel();
  reconnects.clear();
}
