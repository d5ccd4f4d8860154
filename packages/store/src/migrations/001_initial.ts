import { ddl, type Migration } from './migration.ts';

/** Id of the project created by the first migration; runs without a project belong to it. */
export const DEFAULT_PROJECT_ID = 'prj_default';

// Status and kind columns are free text validated in code: SQLite cannot alter a CHECK constraint
// without rebuilding the table, and new kinds (k8s, docker, ec2) will come.
const SCHEMA = `
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at_ms {BIGINT} NOT NULL
);
CREATE TABLE bundles (
  sha256 TEXT PRIMARY KEY,
  size_bytes {BIGINT} NOT NULL,
  content {BLOB} NOT NULL,
  created_at_ms {BIGINT} NOT NULL
);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL,
  state_deadline_ms {BIGINT},
  plan_json TEXT NOT NULL,
  bundle_sha256 TEXT NOT NULL REFERENCES bundles(sha256),
  generators_requested INTEGER NOT NULL,
  pool TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at_ms {BIGINT} NOT NULL,
  started_at_ms {BIGINT},
  ended_at_ms {BIGINT},
  summary_json TEXT,
  labels_json TEXT NOT NULL
);
CREATE INDEX runs_by_created ON runs (created_at_ms DESC, id DESC);
CREATE INDEX runs_by_project ON runs (project_id, created_at_ms DESC, id DESC);
CREATE INDEX runs_by_status ON runs (status, created_at_ms DESC, id DESC);
CREATE INDEX runs_by_deadline ON runs (state_deadline_ms) WHERE state_deadline_ms IS NOT NULL;
CREATE TABLE run_transitions (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_ms {BIGINT} NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE generators (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  pool TEXT NOT NULL,
  status TEXT NOT NULL,
  run_id TEXT REFERENCES runs(id),
  cert_serial TEXT,
  last_heartbeat_ms {BIGINT},
  created_at_ms {BIGINT} NOT NULL,
  retired_at_ms {BIGINT},
  health_json TEXT
);
CREATE UNIQUE INDEX generators_live_name ON generators (name) WHERE retired_at_ms IS NULL;
CREATE INDEX generators_by_pool ON generators (pool, status, created_at_ms);
CREATE INDEX generators_by_run ON generators (run_id) WHERE run_id IS NOT NULL;
CREATE TABLE join_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at_ms {BIGINT} NOT NULL,
  expires_at_ms {BIGINT} NOT NULL,
  used_at_ms {BIGINT}
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  scopes_json TEXT NOT NULL,
  created_at_ms {BIGINT} NOT NULL,
  revoked_at_ms {BIGINT}
);
CREATE TABLE revoked_certificates (
  serial TEXT PRIMARY KEY,
  revoked_at_ms {BIGINT} NOT NULL
);
CREATE TABLE audit_log (
  id {AUTO_ID},
  at_ms {BIGINT} NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details_json TEXT NOT NULL
);
CREATE TABLE metric_snapshots (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  seq {BIGINT} NOT NULL,
  payload_json TEXT NOT NULL,
  received_at_ms {BIGINT} NOT NULL,
  PRIMARY KEY (run_id, source, seq)
);
CREATE TABLE run_logs (
  id {AUTO_ID},
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  at_ms {BIGINT} NOT NULL,
  source TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX run_logs_by_run ON run_logs (run_id, id);
CREATE TABLE jobs (
  created_seq {AUTO_ID},
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  queue TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_ms {BIGINT},
  created_at_ms {BIGINT} NOT NULL,
  available_at_ms {BIGINT} NOT NULL,
  last_error TEXT
);
CREATE INDEX jobs_by_queue ON jobs (queue, status, priority DESC, created_seq)
`;

/** The initial schema and the default project. */
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up: ({ dialect, nowMs }) => [
    ...ddl(dialect, SCHEMA),
    {
      sql: 'INSERT INTO projects (id, name, created_at_ms) VALUES ($1, $2, $3)',
      params: [DEFAULT_PROJECT_ID, 'default', nowMs],
    },
  ],
};
