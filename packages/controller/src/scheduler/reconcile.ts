// What a controller finds after a restart: runs that were active when it (or another controller
// whose lease has expired) died cannot resume, because the live state (quorum, start instant,
// setup data, reports) was in memory. They are aborted with the reason, their generators told
// to stop and released; queued runs stay queued in their order.
import { isStoreError, type Job, type Run, type RunStatus, type Store } from '@stampede/store';
import { isTerminalRunStatus, RUN_STATUSES } from '@stampede/protocol';
import type { AgentHub } from '../agents/agent-hub.ts';
import type { ControllerClock } from '../services.ts';
import { buildFinalSummary } from '../aggregate/final-summary.ts';
import type { ControllerLog } from './log.ts';

/** Statuses between leaving the queue and the end. */
export const IN_FLIGHT: readonly RunStatus[] = RUN_STATUSES.filter(
  (s) => s !== 'queued' && !isTerminalRunStatus(s),
);

/** The run id of a run job, or undefined for a payload that names none. */
export function runIdOfJob(job: Job): string | undefined {
  try {
    const v: unknown = JSON.parse(job.payloadJson);
    if (typeof v === 'object' && v !== null && typeof Reflect.get(v, 'runId') === 'string') {
      return Reflect.get(v, 'runId') as string;
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** What reconciliation and orphan adoption need. */
export interface ReconcileDeps {
  store: Store;
  clock: ControllerClock;
  hub: AgentHub;
  ownerId: string;
  log: ControllerLog;
}

/**
 * Ends a run no controller drives any more: tells its generators to stop, marks it aborted with
 * `reason`, keeps a summary of whatever was stored, releases the generators.
 */
export async function abortOrphanRun(deps: ReconcileDeps, run: Run, reason: string): Promise<void> {
  const { store, hub } = deps;
  for (const g of await store.listGenerators({ runId: run.id })) {
    if (hub.desired(g.id).command.kind === 'terminate') continue;
    hub.setDesired(g.id, { kind: 'stop', runId: run.id, graceful: false, reason });
  }
  try {
    await store.transitionRun(run.id, [run.status], 'aborted', reason, null);
  } catch (err) {
    if (!isStoreError(err, 'INVALID_STATE')) throw err;
  }
  if (run.startedAtMs !== null && (await store.listSnapshots(run.id)).length > 0) {
    try {
      const { summary } = await buildFinalSummary(store, {
        runId: run.id,
        plan: null,
        startedAtMs: run.startedAtMs,
        endedAtMs: null,
        nowMs: deps.clock.nowMs(),
        scenarios: {},
        abortReason: reason,
      });
      await store.setRunSummary(run.id, JSON.stringify(summary));
    } catch (err) {
      deps.log.warn(`run ${run.id}: no summary after restart: ${(err as Error).message}`);
    }
  }
  await store.releaseGenerators(run.id);
  deps.log.warn(`run ${run.id}: aborted: ${reason}`);
}

/**
 * Whether a run has not started anything yet: it is provisioning and holds no generator (they are
 * assigned all at once). Such a run can wait in the queue again across a restart instead of being
 * aborted: nothing was sent to any generator.
 */
export async function isResumable(store: Store, run: Run): Promise<boolean> {
  if (run.status !== 'provisioning') return false;
  return (await store.listGenerators({ runId: run.id })).length === 0;
}

/** The reason recorded on a run that was active when its controller died. */
export function restartReason(status: RunStatus): string {
  return `controller restarted while the run was ${status}; a run cannot resume`;
}

/**
 * Reconciles the store at start: in-flight runs not held by another live controller are aborted
 * (except resumable ones, see isResumable), this controller's jobs of queued and resumable runs go
 * back to the queue (same order), jobs of ended runs are
 * completed, and generators still attached to ended runs are released.
 */
export async function reconcileAtStart(deps: ReconcileDeps): Promise<{ aborted: string[] }> {
  const { store, clock, ownerId } = deps;
  const now = clock.nowMs();
  const leased = await store.listJobs({ status: ['leased'], limit: 1000 });
  const jobByRun = new Map<string, Job>();
  for (const j of leased) {
    const id = runIdOfJob(j);
    if (id !== undefined) jobByRun.set(id, j);
  }
  const aborted: string[] = [];
  const active = await store.listRuns({ status: IN_FLIGHT, limit: 500 });
  for (const run of active.items) {
    const job = jobByRun.get(run.id);
    const heldElsewhere =
      job !== undefined && job.leaseOwner !== ownerId && (job.leaseExpiresMs ?? 0) > now;
    if (heldElsewhere) continue;
    if (await isResumable(store, run)) continue; // its job goes back to the queue below
    await abortOrphanRun(deps, run, restartReason(run.status));
    aborted.push(run.id);
  }
  for (const job of leased) {
    if (job.leaseOwner !== ownerId) continue;
    const runId = runIdOfJob(job);
    const run = runId === undefined ? null : await store.getRun(runId).catch(() => null);
    if (run?.status === 'queued' || (run && (await isResumable(store, run)))) {
      await store.fail(job.id, ownerId, 'controller restarted before provisioning', now);
    } else {
      await store.complete(job.id, ownerId);
    }
  }
  for (const g of await store.listGenerators({ status: ['assigned'] })) {
    if (g.runId === null) continue;
    const run = await store.getRun(g.runId).catch(() => null);
    if (run === null || !IN_FLIGHT.includes(run.status)) await store.releaseGenerators(g.runId);
  }
  return { aborted };
}
