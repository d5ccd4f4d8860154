import { ddl, type Migration } from './migration.ts';

// Baselines, history of run statistics with change-point state, and comparison jobs' results
// (issue 9). A series is keyed by (project, test, branch, metric, statistic); the test name and
// branch come from the runs' labels. DOUBLE PRECISION is REAL in SQLite.
const SCHEMA = `
CREATE TABLE baselines (
  project_id TEXT NOT NULL REFERENCES projects(id),
  test_name TEXT NOT NULL,
  branch TEXT NOT NULL,
  run_ids_json TEXT NOT NULL,
  fingerprint_json TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at_ms {BIGINT} NOT NULL,
  PRIMARY KEY (project_id, test_name, branch)
);
CREATE TABLE history_points (
  project_id TEXT NOT NULL REFERENCES projects(id),
  test_name TEXT NOT NULL,
  branch TEXT NOT NULL,
  metric TEXT NOT NULL,
  statistic TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  value DOUBLE PRECISION NOT NULL,
  at_ms {BIGINT} NOT NULL,
  PRIMARY KEY (project_id, test_name, branch, metric, statistic, run_id)
);
CREATE INDEX history_points_by_time ON history_points
  (project_id, test_name, branch, metric, statistic, at_ms, run_id);
CREATE TABLE history_series (
  project_id TEXT NOT NULL REFERENCES projects(id),
  test_name TEXT NOT NULL,
  branch TEXT NOT NULL,
  metric TEXT NOT NULL,
  statistic TEXT NOT NULL,
  state_json TEXT NOT NULL,
  point_count INTEGER NOT NULL,
  updated_at_ms {BIGINT} NOT NULL,
  PRIMARY KEY (project_id, test_name, branch, metric, statistic)
);
CREATE TABLE comparisons (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  project_id TEXT NOT NULL REFERENCES projects(id),
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  runs_json TEXT NOT NULL,
  result_json TEXT,
  created_by TEXT NOT NULL,
  created_at_ms {BIGINT} NOT NULL,
  updated_at_ms {BIGINT} NOT NULL
);
CREATE INDEX comparisons_by_created ON comparisons (created_at_ms DESC, id DESC)
`;

/** Baselines, run-statistic history with change-point state, and comparison results. */
export const migration003: Migration = {
  version: 3,
  name: 'comparisons',
  up: ({ dialect }) => ddl(dialect, SCHEMA),
};
