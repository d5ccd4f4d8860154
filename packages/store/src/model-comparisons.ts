// Row types of baselines, run-statistic history and comparison jobs (migration 003). JSON columns
// hold text validated by the controller's schemas (the comparison result by the protocol's).

/** Identity of a history series or a baseline: the test and branch within a project. */
export interface TestBranch {
  projectId: string;
  testName: string;
  branch: string;
}

/** Identity of one history series: one statistic of one metric series of a test on a branch. */
export interface SeriesKey extends TestBranch {
  /** Series key as in the summary (`http_req_duration{name:home}`). */
  metric: string;
  /** `p50`, `p99`, `mean`, `rate`, … */
  statistic: string;
}

/** The branch's baseline: the set of runs ("master set") candidates are compared with. */
export interface Baseline extends TestBranch {
  runIds: string[];
  /** Environment fingerprint of the baseline runs (JSON text). */
  fingerprintJson: string;
  setBy: string;
  setAtMs: number;
}

/** One run's value of a history series. */
export interface HistoryPointRecord extends SeriesKey {
  runId: string;
  value: number;
  /** When the run happened (its start), Unix epoch ms. */
  atMs: number;
  /** The run's `commit` label, if it had one. */
  commit?: string | null;
}

/** A history point appended with the series' next change-point state, in one transaction. */
export interface HistoryAppend extends HistoryPointRecord {
  /** The analysis package's ChangePointState after this point, as JSON text. */
  stateJson: string;
  /** Points that state has seen (this one included). */
  pointCount: number;
  /** The stored state's point count this state was computed from; null: no state yet. */
  expectedCount: number | null;
}

/** How a run ended up in the history: its statistics appended, or skipped (with why). */
export type HistoryRunOutcome = 'recorded' | 'skipped';

/** The record that a run was handled by the history recorder (written once per run). */
export interface HistoryRunRecord {
  runId: string;
  outcome: HistoryRunOutcome;
  /** Why it was skipped, or what was recorded (`12 series of checkout on main`). */
  reason: string;
  /** History points the run has (0 when skipped). */
  points: number;
  doneAtMs: number;
}

/** The persisted change-point state of a history series (append-only first-seen records). */
export interface HistorySeriesState extends SeriesKey {
  /** The analysis package's ChangePointState as JSON text. */
  stateJson: string;
  /** Points the state has seen (compare-and-set guard). */
  pointCount: number;
  updatedAtMs: number;
}

/** Kinds of comparison jobs. */
export const COMPARISON_KINDS = ['baseline', 'compare', 'experiment'] as const;
/** Kind of a comparison job. */
export type ComparisonKind = (typeof COMPARISON_KINDS)[number];

/** Statuses of a comparison job: queued → running → done | errored | aborted. */
export const COMPARISON_STATUSES = ['queued', 'running', 'done', 'errored', 'aborted'] as const;
/** Status of a comparison job. */
export type ComparisonStatus = (typeof COMPARISON_STATUSES)[number];

/** A comparison job (experiment, compare, baseline) with its runs and, once done, its result. */
export interface ComparisonRecord {
  id: string;
  kind: ComparisonKind;
  projectId: string;
  status: ComparisonStatus;
  statusReason: string;
  /** What was asked (JSON text). */
  specJson: string;
  /** The runs started so far, by side and order (JSON text). */
  runsJson: string;
  /** The protocol's comparison result (JSON text) once computed. */
  resultJson: string | null;
  createdBy: string;
  createdAtMs: number;
  updatedAtMs: number;
}
