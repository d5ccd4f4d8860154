import { systemStoreClock, type StoreClock } from './clock.ts';
import { migrate, schemaVersion } from './migrate.ts';
import type { Migration } from './migrations/migration.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type * as M from './model.ts';
import type * as C from './model-comparisons.ts';
import type * as P from './model-policies.ts';
import * as baselines from './repos/baselines.ts';
import * as comparisons from './repos/comparisons.ts';
import * as credentials from './repos/credentials.ts';
import * as generators from './repos/generators.ts';
import * as policies from './repos/project-policies.ts';
import * as history from './repos/history.ts';
import * as projects from './repos/projects.ts';
import * as queue from './repos/queue.ts';
import * as records from './repos/records.ts';
import * as runs from './repos/runs.ts';
import type { StoreContext } from './rows.ts';
import type { SqlDriver } from './sql/driver.ts';
import type * as S from './store.ts';

/** Options shared by both dialects. */
export interface StoreOptions {
  /** Wall-clock source (default `Date.now`). */
  clock?: StoreClock;
  /** Migrations to apply (tests only; default: every migration this code knows). */
  migrations?: readonly Migration[];
}

/** The Store over any SqlDriver; SqliteStore and PostgresStore only choose the driver. */
export class SqlStore implements S.Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly #c: StoreContext;
  #closed = false;

  protected constructor(driver: SqlDriver, clock: StoreClock) {
    this.dialect = driver.dialect;
    this.#c = { db: driver, clock };
  }

  /** Applies missing migrations; closes the driver and rethrows on failure. */
  protected static async init<T extends SqlStore>(store: T, options: StoreOptions): Promise<T> {
    try {
      await migrate(store.#c.db, store.#c.clock, options.migrations ?? MIGRATIONS);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** The clock given at open (or the system clock). */
  protected static clockOf(options: StoreOptions): StoreClock {
    return options.clock ?? systemStoreClock;
  }

  schemaVersion(): Promise<number> {
    return schemaVersion(this.#c.db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#c.db.close();
  }

  createProject(input: { name: string }): Promise<M.Project> {
    return projects.createProject(this.#c, input);
  }
  getProject(id: string): Promise<M.Project> {
    return projects.getProject(this.#c, id);
  }
  findProjectByName(name: string): Promise<M.Project | null> {
    return projects.findProjectByName(this.#c, name);
  }
  listProjects(): Promise<M.Project[]> {
    return projects.listProjects(this.#c);
  }

  getProjectPolicy(projectId: string): Promise<P.ProjectPolicy | null> {
    return policies.getProjectPolicy(this.#c, projectId);
  }
  setProjectPolicy(input: P.NewProjectPolicy): Promise<P.ProjectPolicy> {
    return policies.setProjectPolicy(this.#c, input);
  }

  putBundle(content: Uint8Array, expectedSha256?: string) {
    return projects.putBundle(this.#c, content, expectedSha256);
  }
  getBundle(sha256: string): Promise<M.Bundle> {
    return projects.getBundle(this.#c, sha256);
  }
  getBundleInfo(sha256: string): Promise<M.BundleInfo | null> {
    return projects.getBundleInfo(this.#c, sha256);
  }

  createRun(input: S.NewRun): Promise<M.Run> {
    return runs.createRun(this.#c, input);
  }
  getRun(id: string): Promise<M.Run> {
    return runs.getRun(this.#c, id);
  }
  listRuns(filter?: S.RunFilter): Promise<M.Page<M.Run>> {
    return runs.listRuns(this.#c, filter);
  }
  transitionRun(
    id: string,
    from: readonly M.RunStatus[],
    to: M.RunStatus,
    reason: string,
    deadlineMs: number | null,
  ): Promise<M.Run> {
    return runs.transitionRun(this.#c, id, from, to, reason, deadlineMs);
  }
  setRunSummary(id: string, summaryJson: string): Promise<M.Run> {
    return runs.setRunSummary(this.#c, id, summaryJson);
  }
  listRunTransitions(runId: string): Promise<M.RunTransition[]> {
    return runs.listRunTransitions(this.#c, runId);
  }
  listRunsPastDeadline(limit?: number): Promise<M.Run[]> {
    return runs.listRunsPastDeadline(this.#c, limit);
  }

  createGenerator(input: S.NewGenerator): Promise<M.Generator> {
    return generators.createGenerator(this.#c, input);
  }
  getGenerator(id: string): Promise<M.Generator> {
    return generators.getGenerator(this.#c, id);
  }
  listGenerators(filter?: S.GeneratorFilter): Promise<M.Generator[]> {
    return generators.listGenerators(this.#c, filter);
  }
  recordHeartbeat(id: string, healthJson: string | null): Promise<M.Generator> {
    return generators.recordHeartbeat(this.#c, id, healthJson);
  }
  setGeneratorStatus(
    id: string,
    from: readonly M.GeneratorStatus[],
    to: M.GeneratorStatus,
  ): Promise<M.Generator> {
    return generators.setGeneratorStatus(this.#c, id, from, to);
  }
  setGeneratorCertSerial(id: string, certSerial: string | null): Promise<M.Generator> {
    return generators.setGeneratorCertSerial(this.#c, id, certSerial);
  }
  assignGenerators(runId: string, count: number, pool: string): Promise<M.Generator[]> {
    return generators.assignGenerators(this.#c, runId, count, pool);
  }
  releaseGenerators(runId: string): Promise<number> {
    return generators.releaseGenerators(this.#c, runId);
  }

  createJoinToken(input: { name: string; tokenHash: string; expiresAtMs: number }) {
    return credentials.createJoinToken(this.#c, input);
  }
  consumeJoinToken(tokenHash: string): Promise<M.JoinToken> {
    return credentials.consumeJoinToken(this.#c, tokenHash);
  }
  listJoinTokens(): Promise<M.JoinToken[]> {
    return credentials.listJoinTokens(this.#c);
  }
  createApiToken(input: { name: string; tokenHash: string; scopes: string[] }) {
    return credentials.createApiToken(this.#c, input);
  }
  findApiTokenByHash(tokenHash: string): Promise<M.ApiToken | null> {
    return credentials.findApiTokenByHash(this.#c, tokenHash);
  }
  revokeApiToken(id: string): Promise<M.ApiToken> {
    return credentials.revokeApiToken(this.#c, id);
  }
  listApiTokens(): Promise<M.ApiToken[]> {
    return credentials.listApiTokens(this.#c);
  }
  revokeCertificate(serial: string): Promise<M.RevokedCertificate> {
    return credentials.revokeCertificate(this.#c, serial);
  }
  isCertificateRevoked(serial: string): Promise<boolean> {
    return credentials.isCertificateRevoked(this.#c, serial);
  }
  listRevokedCertificates(): Promise<M.RevokedCertificate[]> {
    return credentials.listRevokedCertificates(this.#c);
  }

  appendAudit(input: { actor: string; action: string; target: string; detailsJson?: string }) {
    return records.appendAudit(this.#c, input);
  }
  listAudit(options?: { limit?: number; beforeId?: number }): Promise<M.AuditEntry[]> {
    return records.listAudit(this.#c, options);
  }
  putSnapshot(input: { runId: string; source: string; seq: number; payloadJson: string }) {
    return records.putSnapshot(this.#c, input);
  }
  listSnapshots(runId: string, options?: { source?: string }): Promise<M.SnapshotRecord[]> {
    return records.listSnapshots(this.#c, runId, options);
  }
  maxSeq(runId: string, source: string): Promise<number | null> {
    return records.maxSeq(this.#c, runId, source);
  }
  appendRunLog(input: {
    runId: string;
    source: string;
    level: M.LogLevel;
    message: string;
    atMs?: number;
  }): Promise<M.RunLogEntry> {
    return records.appendRunLog(this.#c, input);
  }
  listRunLogs(runId: string, options?: { afterId?: number; limit?: number }) {
    return records.listRunLogs(this.#c, runId, options);
  }

  enqueue(input: S.NewJob): Promise<M.Job> {
    return queue.enqueue(this.#c, input);
  }
  lease(queueName: string, owner: string, leaseMs: number, maxConcurrentPerQueue: number) {
    return queue.lease(this.#c, queueName, owner, leaseMs, maxConcurrentPerQueue);
  }
  renew(jobId: string, owner: string, leaseMs: number): Promise<M.Job> {
    return queue.renew(this.#c, jobId, owner, leaseMs);
  }
  complete(jobId: string, owner: string): Promise<M.Job> {
    return queue.complete(this.#c, jobId, owner);
  }
  fail(jobId: string, owner: string, error: string, retryAtMs: number | null): Promise<M.Job> {
    return queue.fail(this.#c, jobId, owner, error, retryAtMs);
  }
  getJob(id: string): Promise<M.Job> {
    return queue.getJob(this.#c, id);
  }
  listJobs(filter?: S.JobFilter): Promise<M.Job[]> {
    return queue.listJobs(this.#c, filter);
  }

  setBaseline(
    input: C.TestBranch & { runIds: string[]; fingerprintJson: string; setBy: string },
  ): Promise<C.Baseline> {
    return baselines.setBaseline(this.#c, input);
  }
  getBaseline(key: C.TestBranch): Promise<C.Baseline | null> {
    return baselines.getBaseline(this.#c, key);
  }
  putHistoryPoint(input: C.HistoryPointRecord): Promise<boolean> {
    return baselines.putHistoryPoint(this.#c, input);
  }
  listHistoryPoints(key: C.SeriesKey, options?: { limit?: number }) {
    return baselines.listHistoryPoints(this.#c, key, options);
  }
  listHistorySeries(key: C.TestBranch): Promise<C.SeriesKey[]> {
    return baselines.listHistorySeries(this.#c, key);
  }
  getHistoryState(key: C.SeriesKey): Promise<C.HistorySeriesState | null> {
    return baselines.getHistoryState(this.#c, key);
  }
  putHistoryState(
    key: C.SeriesKey,
    input: { stateJson: string; pointCount: number; expectedCount: number | null },
  ): Promise<C.HistorySeriesState> {
    return baselines.putHistoryState(this.#c, key, input);
  }
  appendHistoryPoint(input: C.HistoryAppend): Promise<'appended' | 'duplicate'> {
    return history.appendHistoryPoint(this.#c, input);
  }
  listRunsPendingHistory(options?: { limit?: number; endedSinceMs?: number }): Promise<M.Run[]> {
    return history.listRunsPendingHistory(this.#c, options);
  }
  markRunHistory(input: {
    runId: string;
    outcome: C.HistoryRunOutcome;
    reason: string;
    points: number;
  }): Promise<C.HistoryRunRecord> {
    return history.markRunHistory(this.#c, input);
  }
  getRunHistory(runId: string): Promise<C.HistoryRunRecord | null> {
    return history.getRunHistory(this.#c, runId);
  }
  createComparison(input: {
    kind: C.ComparisonKind;
    projectId: string;
    specJson: string;
    createdBy: string;
  }): Promise<C.ComparisonRecord> {
    return comparisons.createComparison(this.#c, input);
  }
  updateComparison(
    id: string,
    patch: Parameters<S.ComparisonStore['updateComparison']>[1],
  ): Promise<C.ComparisonRecord> {
    return comparisons.updateComparison(this.#c, id, patch);
  }
  getComparison(id: string): Promise<C.ComparisonRecord> {
    return comparisons.getComparison(this.#c, id);
  }
  listComparisons(filter?: Parameters<S.ComparisonStore['listComparisons']>[0]) {
    return comparisons.listComparisons(this.#c, filter);
  }
}
