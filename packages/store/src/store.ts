import type {
  ApiToken,
  AuditEntry,
  Bundle,
  BundleInfo,
  Generator,
  GeneratorStatus,
  Job,
  JobStatus,
  JoinToken,
  LogLevel,
  Page,
  Project,
  RevokedCertificate,
  Run,
  RunLogEntry,
  RunStatus,
  RunTransition,
  SnapshotRecord,
} from './model.ts';
import type {
  Baseline,
  HistoryAppend,
  HistoryRunOutcome,
  HistoryRunRecord,
  ComparisonKind,
  ComparisonRecord,
  ComparisonStatus,
  HistoryPointRecord,
  HistorySeriesState,
  SeriesKey,
  TestBranch,
} from './model-comparisons.ts';
import type { NewProjectPolicy, ProjectPolicy } from './model-policies.ts';

/** Input of `createRun`; the run starts `queued`. */
export interface NewRun {
  projectId?: string;
  planJson: string;
  bundleSha256: string;
  generatorsRequested: number;
  pool: string;
  createdBy: string;
  labels?: Record<string, string>;
  stateDeadlineMs?: number | null;
}

/** Filter of `listRuns`: newest first, `limit` defaults to 50 (max 500). */
export interface RunFilter {
  status?: readonly RunStatus[];
  projectId?: string;
  /** Only runs carrying every one of these labels (exact values). */
  labels?: Record<string, string>;
  limit?: number;
  cursor?: string;
}

/** Input of `createGenerator`; the generator starts `idle`. */
export interface NewGenerator {
  name: string;
  kind: string;
  pool: string;
  certSerial?: string | null;
}

/** Filter of `listGenerators`; retired generators are included only when asked. */
export interface GeneratorFilter {
  pool?: string;
  status?: readonly GeneratorStatus[];
  runId?: string;
  includeRetired?: boolean;
}

/** Input of `enqueue`. */
export interface NewJob {
  queue: string;
  kind: string;
  payloadJson: string;
  priority?: number;
  availableAtMs?: number;
}

/** Filter of `listJobs`, oldest first. */
export interface JobFilter {
  queue?: string;
  status?: readonly JobStatus[];
  limit?: number;
}

/** Projects: the owners of runs. */
export interface ProjectStore {
  /** Creates a project; CONFLICT if the name is taken. */
  createProject(input: { name: string }): Promise<Project>;
  /** The project with this id; NOT_FOUND otherwise. */
  getProject(id: string): Promise<Project>;
  /** The project with this name, or null. */
  findProjectByName(name: string): Promise<Project | null>;
  /** All projects by name. */
  listProjects(): Promise<Project[]>;
}

/** Per-project target allow-lists and caps. */
export interface ProjectPolicyStore {
  /** The project's own policy, or null when it has none; NOT_FOUND for an unknown project. */
  getProjectPolicy(projectId: string): Promise<ProjectPolicy | null>;
  /** Replaces the project's policy; NOT_FOUND for an unknown project, INVALID_INPUT for a bad cap. */
  setProjectPolicy(input: NewProjectPolicy): Promise<ProjectPolicy>;
}

/** Content-addressed test bundles. */
export interface BundleStore {
  /** Stores bytes under their SHA-256 (idempotent); INVALID_INPUT if `expectedSha256` differs. */
  putBundle(
    content: Uint8Array,
    expectedSha256?: string,
  ): Promise<BundleInfo & { created: boolean }>;
  /** The bundle with its bytes; NOT_FOUND otherwise. */
  getBundle(sha256: string): Promise<Bundle>;
  /** The bundle's size and age without its bytes, or null. */
  getBundleInfo(sha256: string): Promise<BundleInfo | null>;
}

/** Runs and their recorded transitions. */
export interface RunStore {
  /** Creates a queued run (transition seq 1); NOT_FOUND for an unknown project or bundle. */
  createRun(input: NewRun): Promise<Run>;
  /** The run; NOT_FOUND otherwise. */
  getRun(id: string): Promise<Run>;
  /** Runs newest first (createdAtMs desc, id desc), paged by an opaque cursor. */
  listRuns(filter?: RunFilter): Promise<Page<Run>>;
  /** Atomic compare-and-set of the status; INVALID_STATE if the status is not in `from` or the step is not allowed. */
  transitionRun(
    id: string,
    from: readonly RunStatus[],
    to: RunStatus,
    reason: string,
    deadlineMs: number | null,
  ): Promise<Run>;
  /** Stores the run's summary JSON (any status). */
  setRunSummary(id: string, summaryJson: string): Promise<Run>;
  /** The run's transitions in order; NOT_FOUND for an unknown run. */
  listRunTransitions(runId: string): Promise<RunTransition[]>;
  /** Non-terminal runs whose state deadline is at or before now, earliest deadline first. */
  listRunsPastDeadline(limit?: number): Promise<Run[]>;
}

/** Generators (agents) and their exclusive assignment to runs. */
export interface GeneratorStore {
  /** Registers an idle generator; CONFLICT if a live (not retired) generator has this name. */
  createGenerator(input: NewGenerator): Promise<Generator>;
  /** The generator; NOT_FOUND otherwise. */
  getGenerator(id: string): Promise<Generator>;
  /** Generators by creation time. */
  listGenerators(filter?: GeneratorFilter): Promise<Generator[]>;
  /** Sets lastHeartbeatMs to now and stores the health report. */
  recordHeartbeat(id: string, healthJson: string | null): Promise<Generator>;
  /** Compare-and-set of the status; `idle` clears runId, `terminated` also sets retiredAtMs. */
  setGeneratorStatus(
    id: string,
    from: readonly GeneratorStatus[],
    to: GeneratorStatus,
  ): Promise<Generator>;
  /** Records the serial of the generator's current client certificate. */
  setGeneratorCertSerial(id: string, certSerial: string | null): Promise<Generator>;
  /** Atomically takes `count` idle generators of `pool` for the run; CONFLICT if there are fewer. */
  assignGenerators(runId: string, count: number, pool: string): Promise<Generator[]>;
  /** Detaches the run's generators (assigned ones become idle); returns how many. */
  releaseGenerators(runId: string): Promise<number>;
}

/** Join tokens, API tokens and revoked certificates. */
export interface CredentialStore {
  /** Stores a join token's hash; CONFLICT if the hash exists. */
  createJoinToken(input: {
    name: string;
    tokenHash: string;
    expiresAtMs: number;
  }): Promise<JoinToken>;
  /** Marks the token used, once: NOT_FOUND unknown, CONFLICT already used, INVALID_STATE expired. */
  consumeJoinToken(tokenHash: string): Promise<JoinToken>;
  /** All join tokens, newest first. */
  listJoinTokens(): Promise<JoinToken[]>;
  /** Stores an API token's hash; CONFLICT if the hash exists or a live (unrevoked) token has this name. */
  createApiToken(input: { name: string; tokenHash: string; scopes: string[] }): Promise<ApiToken>;
  /** The unrevoked API token with this hash, or null. */
  findApiTokenByHash(tokenHash: string): Promise<ApiToken | null>;
  /** Revokes an API token (idempotent); NOT_FOUND for an unknown id. */
  revokeApiToken(id: string): Promise<ApiToken>;
  /** All API tokens, newest first. */
  listApiTokens(): Promise<ApiToken[]>;
  /** Revokes a certificate serial (idempotent: keeps the first revocation time). */
  revokeCertificate(serial: string): Promise<RevokedCertificate>;
  /** Whether the serial is revoked. */
  isCertificateRevoked(serial: string): Promise<boolean>;
  /** All revoked serials, oldest first. */
  listRevokedCertificates(): Promise<RevokedCertificate[]>;
}

/** Audit log, run logs and metric snapshots. */
export interface RecordStore {
  /** Appends an audit entry stamped now. */
  appendAudit(input: {
    actor: string;
    action: string;
    target: string;
    detailsJson?: string;
  }): Promise<AuditEntry>;
  /** Audit entries newest first; `beforeId` pages back. */
  listAudit(options?: { limit?: number; beforeId?: number }): Promise<AuditEntry[]>;
  /** Stores a snapshot; false (and nothing changes) if (runId, source, seq) exists; NOT_FOUND unknown run. */
  putSnapshot(input: {
    runId: string;
    source: string;
    seq: number;
    payloadJson: string;
  }): Promise<boolean>;
  /** The run's snapshots ordered by seq then source. */
  listSnapshots(runId: string, options?: { source?: string }): Promise<SnapshotRecord[]>;
  /** The highest stored seq of (run, source), or null. */
  maxSeq(runId: string, source: string): Promise<number | null>;
  /** Appends a run log line (atMs defaults to now); NOT_FOUND unknown run. */
  appendRunLog(input: {
    runId: string;
    source: string;
    level: LogLevel;
    message: string;
    atMs?: number;
  }): Promise<RunLogEntry>;
  /** The run's log lines in append order; `afterId` pages forward. */
  listRunLogs(
    runId: string,
    options?: { afterId?: number; limit?: number },
  ): Promise<RunLogEntry[]>;
}

/** The durable job queue with leases. */
export interface QueueStore {
  /** Adds a queued job (FIFO by createdSeq within a priority). */
  enqueue(input: NewJob): Promise<Job>;
  /** Leases the next available job of `queue` unless `maxConcurrentPerQueue` live leases exist; null if none. */
  lease(
    queue: string,
    owner: string,
    leaseMs: number,
    maxConcurrentPerQueue: number,
  ): Promise<Job | null>;
  /** Extends a lease the owner still holds; CONFLICT if someone else holds it or it is not leased. */
  renew(jobId: string, owner: string, leaseMs: number): Promise<Job>;
  /** Marks a held job done; CONFLICT if the owner does not hold it. */
  complete(jobId: string, owner: string): Promise<Job>;
  /** Records an error: re-queued at `retryAtMs`, or failed for good when null. */
  fail(jobId: string, owner: string, error: string, retryAtMs: number | null): Promise<Job>;
  /** The job; NOT_FOUND otherwise. */
  getJob(id: string): Promise<Job>;
  /** Jobs oldest first. */
  listJobs(filter?: JobFilter): Promise<Job[]>;
}

/** Baselines, run-statistic history with change-point state, and comparison jobs (migration 003). */
export interface ComparisonStore {
  /** Sets (replaces) the branch's baseline; NOT_FOUND for an unknown project or run, INVALID_INPUT for a run of another project. */
  setBaseline(
    input: TestBranch & { runIds: string[]; fingerprintJson: string; setBy: string },
  ): Promise<Baseline>;
  /** The branch's baseline, or null. */
  getBaseline(key: TestBranch): Promise<Baseline | null>;
  /** Stores one run's value of a series; false (nothing changes) if that run already has one. */
  putHistoryPoint(input: HistoryPointRecord): Promise<boolean>;
  /** The newest `limit` points of a series (default 1000), oldest first. */
  listHistoryPoints(key: SeriesKey, options?: { limit?: number }): Promise<HistoryPointRecord[]>;
  /** The series of a test on a branch that have points. */
  listHistorySeries(key: TestBranch): Promise<SeriesKey[]>;
  /** The series' change-point state, or null. */
  getHistoryState(key: SeriesKey): Promise<HistorySeriesState | null>;
  /** Compare-and-set of the series' change-point state on its point count; CONFLICT when it moved. */
  putHistoryState(
    key: SeriesKey,
    input: { stateJson: string; pointCount: number; expectedCount: number | null },
  ): Promise<HistorySeriesState>;
  /**
   * Appends a run's point and the series' next change-point state in one transaction: `duplicate`
   * when the run already has a point there; CONFLICT when the state's point count is not
   * `expectedCount` (read it again and retry); NOT_FOUND for an unknown run.
   */
  appendHistoryPoint(input: HistoryAppend): Promise<'appended' | 'duplicate'>;
  /** Ended passed/failed runs the history has not handled yet, oldest first (default 10, max 500), optionally only those that ended at or after `endedSinceMs`. */
  listRunsPendingHistory(options?: { limit?: number; endedSinceMs?: number }): Promise<Run[]>;
  /** Records once that the history handled a run (the first record stays); NOT_FOUND unknown run. */
  markRunHistory(input: {
    runId: string;
    outcome: HistoryRunOutcome;
    reason: string;
    points: number;
  }): Promise<HistoryRunRecord>;
  /** The history record of a run, or null. */
  getRunHistory(runId: string): Promise<HistoryRunRecord | null>;
  /** Creates a queued comparison job record; NOT_FOUND for an unknown project. */
  createComparison(input: {
    kind: ComparisonKind;
    projectId: string;
    specJson: string;
    createdBy: string;
  }): Promise<ComparisonRecord>;
  /** Updates status, runs and result (fields left out stay); NOT_FOUND unknown. */
  updateComparison(
    id: string,
    patch: {
      status?: ComparisonStatus;
      statusReason?: string;
      runsJson?: string;
      resultJson?: string | null;
    },
  ): Promise<ComparisonRecord>;
  /** The comparison; NOT_FOUND otherwise. */
  getComparison(id: string): Promise<ComparisonRecord>;
  /** Comparisons newest first. */
  listComparisons(filter?: {
    status?: readonly ComparisonStatus[];
    limit?: number;
  }): Promise<ComparisonRecord[]>;
}

/** Everything the controller persists; implemented by SqliteStore and PostgresStore. */
export interface Store
  extends
    ProjectStore,
    ProjectPolicyStore,
    BundleStore,
    RunStore,
    GeneratorStore,
    CredentialStore,
    RecordStore,
    QueueStore,
    ComparisonStore {
  /** Which SQL dialect backs the store. */
  readonly dialect: 'sqlite' | 'postgres';
  /** The highest applied migration. */
  schemaVersion(): Promise<number>;
  /** Releases the connection(s); the store is unusable afterwards. */
  close(): Promise<void>;
}
