// The history recorder: after a run ends passed or failed, each of its run statistics becomes one
// point of its (project, test, branch, metric, statistic) series, and the series' change-point
// state advances through the analysis package's append-only API. It works from the controller's
// tick loop, never from a request, with bounded work per tick. Point and state are written in
// one compare-and-set transaction (retried on a conflict), so two controllers on one database
// never lose an append, and a run is appended once however often it is retried.
import { appendPoint, createChangePointState, type RunStatistic } from '@stampede/analysis';
import { changePointStateSchema, type ChangePointSettings } from '@stampede/protocol';
import { isStoreError, type Run, type SeriesKey, type Store } from '@stampede/store';
import type { ControllerLog } from '../scheduler/log.ts';
import type { ControllerClock } from '../services.ts';
import {
  historyStatisticsOf,
  historyTargetOf,
  scriptNameOfArchive,
  type HistoryTarget,
} from './history-target.ts';

/** What the recorder is built from. */
export interface HistoryRecorderOptions {
  store: Store;
  clock: ControllerClock;
  log: ControllerLog;
  /** Change-point settings of new series (a series keeps those it was created with). */
  settings?: Partial<ChangePointSettings>;
  /** Runs fetched per scan (default 4). */
  runsPerScan?: number;
  /** Series appended per tick at most (default 50, about 0.1–0.25 s): a big run spreads over ticks. */
  pointsPerTick?: number;
  /** Pause between scans that found nothing, ms (default 1000). */
  scanIntervalMs?: number;
  /** Failed attempts before a run is skipped for good (default 5). */
  maxAttempts?: number;
}

/** Most compare-and-set retries of one append before it counts as a failure. */
const MAX_CAS_RETRIES = 50;

/**
 * Once caught up, scans look at runs that ended since the last complete scan (an index range),
 * less this slack for the clocks of other controllers on the database; a full scan every
 * FULL_SCAN_EVERY_MS picks up anything else (a run whose recording failed and waits its turn).
 */
const ENDED_SLACK_MS = 60_000;
const FULL_SCAN_EVERY_MS = 5 * 60_000;

interface InProgress {
  run: Run;
  target: Extract<HistoryTarget, { ok: true }>;
  statistics: RunStatistic[];
  next: number;
}

/** Appends the statistics of ended runs to their history; call `tick` from the controller's loop. */
export class HistoryRecorder {
  readonly #o: Required<Omit<HistoryRecorderOptions, 'settings'>> & {
    settings: Partial<ChangePointSettings>;
  };
  #batch: Run[] = [];
  #current: InProgress | null = null;
  #nextScanAtMs = 0;
  #endedSinceMs: number | undefined = undefined;
  #nextFullScanAtMs = 0;
  readonly #failures = new Map<string, number>();

  constructor(o: HistoryRecorderOptions) {
    this.#o = {
      runsPerScan: 4,
      pointsPerTick: 50,
      scanIntervalMs: 1000,
      maxAttempts: 5,
      settings: {},
      ...o,
    };
    createChangePointState(this.#o.settings); // bad settings fail at start, not on the first run
  }

  /** Records at most `pointsPerTick` points of pending runs. */
  async tick(): Promise<void> {
    const { clock } = this.#o;
    let budget = this.#o.pointsPerTick;
    while (budget > 0) {
      if (this.#current === null && this.#batch.length === 0) {
        if (clock.nowMs() < this.#nextScanAtMs) return;
        this.#batch = await this.#scan();
        if (this.#batch.length === 0) {
          this.#nextScanAtMs = clock.nowMs() + this.#o.scanIntervalMs;
          return;
        }
      }
      const run = this.#current?.run ?? (this.#batch.shift() as Run);
      try {
        budget -= await this.#step(run, budget);
      } catch (err) {
        this.#current = null;
        await this.#failed(run, err);
        // The run stays pending: a later scan retries it, after the others of this batch.
        this.#nextScanAtMs = clock.nowMs() + this.#o.scanIntervalMs;
        return;
      }
    }
  }

  async #scan(): Promise<Run[]> {
    const { store, clock, runsPerScan } = this.#o;
    const startedAtMs = clock.nowMs();
    const full = this.#endedSinceMs === undefined || startedAtMs >= this.#nextFullScanAtMs;
    const batch = await store.listRunsPendingHistory({
      limit: runsPerScan,
      ...(full || this.#endedSinceMs === undefined ? {} : { endedSinceMs: this.#endedSinceMs }),
    });
    if (batch.length < runsPerScan) {
      // Caught up: every pending run that ended before this scan is in this batch.
      this.#endedSinceMs = Math.max(0, startedAtMs - ENDED_SLACK_MS);
      if (full) this.#nextFullScanAtMs = startedAtMs + FULL_SCAN_EVERY_MS;
    }
    return batch;
  }

  /** Appends up to `budget` points of `run`; returns how many steps it took. */
  async #step(run: Run, budget: number): Promise<number> {
    const { store } = this.#o;
    if (this.#current?.run.id !== run.id) {
      const target = await this.#targetOf(run);
      if (!target.ok) {
        await store.markRunHistory({
          runId: run.id,
          outcome: 'skipped',
          reason: target.reason,
          points: 0,
        });
        return 1;
      }
      this.#current = { run, target, statistics: historyStatisticsOf(run), next: 0 };
    }
    const c = this.#current as InProgress;
    let used = 0;
    while (c.next < c.statistics.length && used < budget) {
      await this.#append(c, c.statistics[c.next] as RunStatistic);
      c.next++;
      used++;
    }
    if (c.next < c.statistics.length) return used;
    const { testName, branch } = c.target.key;
    await store.markRunHistory({
      runId: run.id,
      outcome: 'recorded',
      reason: `${c.statistics.length} series of ${testName} on ${branch}`,
      points: c.statistics.length,
    });
    this.#current = null;
    this.#failures.delete(run.id);
    return Math.max(used, 1);
  }

  async #targetOf(run: Run): Promise<HistoryTarget> {
    const first = historyTargetOf(run, null);
    if (first.ok || !first.reason.startsWith('no test label')) return first;
    const bundle = await this.#o.store.getBundle(run.bundleSha256);
    return historyTargetOf(run, scriptNameOfArchive(bundle.content));
  }

  /** Appends one statistic, re-reading the state on every compare-and-set conflict. */
  async #append(c: InProgress, stat: RunStatistic): Promise<void> {
    const { store, clock } = this.#o;
    const key: SeriesKey = { ...c.target.key, metric: stat.metric, statistic: stat.statistic };
    for (let attempt = 0; ; attempt++) {
      const stored = await store.getHistoryState(key);
      const state =
        stored === null
          ? createChangePointState(this.#o.settings)
          : changePointStateSchema.parse(JSON.parse(stored.stateJson));
      const next = appendPoint(
        state,
        { id: c.run.id, value: stat.value, atMs: c.target.atMs },
        clock.nowMs(),
      );
      try {
        await store.appendHistoryPoint({
          ...key,
          runId: c.run.id,
          value: stat.value,
          atMs: c.target.atMs,
          commit: c.target.commit,
          stateJson: JSON.stringify(next),
          pointCount: next.count,
          expectedCount: stored?.pointCount ?? null,
        });
        return;
      } catch (err) {
        if (!isStoreError(err, 'CONFLICT') || attempt >= MAX_CAS_RETRIES) throw err;
      }
    }
  }

  async #failed(run: Run, err: unknown): Promise<void> {
    const { store, log, maxAttempts } = this.#o;
    const message = err instanceof Error ? err.message : String(err);
    const attempts = (this.#failures.get(run.id) ?? 0) + 1;
    this.#failures.set(run.id, attempts);
    if (attempts < maxAttempts) {
      log.warn(`history: run ${run.id} (attempt ${attempts} of ${maxAttempts}): ${message}`);
      return;
    }
    log.error(`history: run ${run.id} left out after ${attempts} attempts: ${message}`);
    this.#failures.delete(run.id);
    await store
      .markRunHistory({ runId: run.id, outcome: 'skipped', reason: message, points: 0 })
      .catch((e: unknown) => log.error(`history: run ${run.id}: ${String(e)}`));
  }
}
