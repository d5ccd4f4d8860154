import { ddl, type Migration } from './migration.ts';

// Which ended runs have been recorded in the history (issue 9): one row per run, written once
// every statistic of the run is appended (or the run is skipped, with why), so a controller
// restarting, or a second controller on the same database, never appends a run twice. Points
// keep the run's `commit` label so the history lists it without reading every run; runs are
// indexed by their end so the recorder looks at recently ended ones only.
const SCHEMA = `
CREATE TABLE history_runs (
  run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  points INTEGER NOT NULL,
  done_at_ms {BIGINT} NOT NULL
);
ALTER TABLE history_points ADD COLUMN commit_label TEXT;
CREATE INDEX runs_by_ended ON runs (ended_at_ms) WHERE ended_at_ms IS NOT NULL
`;

/** Migration 007: runs recorded in the history, and the commit label of each history point. */
export const migration007: Migration = {
  version: 7,
  name: 'history_runs',
  up: ({ dialect }) => ddl(dialect, SCHEMA),
};
