import { ddl, type Migration } from './migration.ts';

// Per-project target allow-lists and caps (issue 13 item 8). One row per project that has a
// policy; a project without a row inherits the installation's. A NULL cap means "no cap of the
// project's own". DOUBLE PRECISION is REAL in SQLite.
const SCHEMA = `
CREATE TABLE project_policies (
  project_id TEXT PRIMARY KEY REFERENCES projects(id),
  allow_targets_json TEXT NOT NULL,
  max_generators INTEGER,
  max_duration_ms {BIGINT},
  max_rate_per_sec DOUBLE PRECISION,
  updated_by TEXT NOT NULL,
  updated_at_ms {BIGINT} NOT NULL
)
`;

/** Migration 005: per-project target allow-lists and caps. */
export const migration005: Migration = {
  version: 5,
  name: 'project_policies',
  up: ({ dialect }) => ddl(dialect, SCHEMA),
};
