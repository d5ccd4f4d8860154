// Store rows as the API shows them: JSON columns parsed, secrets (token hashes, environment
// values) left out.
import {
  API_SCOPES,
  generatorHealthSchema,
  jsonBoundsProblem,
  runPlanSchema,
  type ApiTokenView,
  type AuditEntryView,
  type GeneratorView,
  type JoinTokenView,
  type RunLive,
  type RunLogLine,
  type RunOverrides,
  type RunTransitionView,
  type RunView,
  type Summary,
} from '@stampede/protocol';
import type {
  ApiToken,
  AuditEntry,
  Generator,
  JoinToken,
  Run,
  RunLogEntry,
  RunTransition,
} from '@stampede/store';

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The overrides and environment names of a run's plan; empty for plans the API did not write or that break the JSON bounds. */
export function planOf(run: Run): { overrides: RunOverrides; envKeys: string[] } {
  const plan = runPlanSchema.safeParse(parseJson(run.planJson));
  if (!plan.success) return { overrides: {}, envKeys: [] };
  return { overrides: plan.data.overrides, envKeys: Object.keys(plan.data.env).sort() };
}

/** A run as the API shows it. */
export function toRunView(run: Run): RunView {
  const summary = parseJson(run.summaryJson);
  return {
    id: run.id,
    projectId: run.projectId,
    status: run.status,
    statusReason: run.statusReason,
    stateDeadlineMs: run.stateDeadlineMs,
    archiveSha256: run.bundleSha256,
    generatorsRequested: run.generatorsRequested,
    pool: run.pool,
    createdBy: run.createdBy,
    createdAtMs: run.createdAtMs,
    startedAtMs: run.startedAtMs,
    endedAtMs: run.endedAtMs,
    labels: run.labels,
    ...planOf(run),
    // The aggregator writes the summary with the protocol's schema; it is passed on as stored.
    summary: isRecord(summary) ? (summary as Summary) : null,
  };
}

/** A status change as the API shows it. */
export function toTransitionView(t: RunTransition): RunTransitionView {
  return { seq: t.seq, from: t.from, to: t.to, reason: t.reason, atMs: t.atMs };
}

/** A run log line as the API shows it. */
export function toLogLine(l: RunLogEntry): RunLogLine {
  return { id: l.id, atMs: l.atMs, source: l.source, level: l.level, message: l.message };
}

/** A generator as the API shows it; health is dropped unless it matches the heartbeat schema. */
export function toGeneratorView(g: Generator): GeneratorView {
  const health = generatorHealthSchema.safeParse(parseJson(g.healthJson));
  return {
    id: g.id,
    name: g.name,
    kind: g.kind,
    pool: g.pool,
    status: g.status,
    runId: g.runId,
    certSerial: g.certSerial,
    lastHeartbeatMs: g.lastHeartbeatMs,
    createdAtMs: g.createdAtMs,
    retiredAtMs: g.retiredAtMs,
    health: health.success ? health.data : null,
  };
}

/** An API token without its hash. */
export function toApiTokenView(t: ApiToken): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    scopes: API_SCOPES.filter((s) => t.scopes.includes(s)),
    createdAtMs: t.createdAtMs,
    revokedAtMs: t.revokedAtMs,
  };
}

/** A join token without its hash; its state at `nowMs`. */
export function toJoinTokenView(t: JoinToken, nowMs: number): JoinTokenView {
  const state = t.usedAtMs !== null ? 'used' : nowMs >= t.expiresAtMs ? 'expired' : 'unused';
  return {
    id: t.id,
    name: t.name,
    createdAtMs: t.createdAtMs,
    expiresAtMs: t.expiresAtMs,
    usedAtMs: t.usedAtMs,
    state,
  };
}

/** An audit entry with its details parsed; details too deep or too big to answer are left out. */
export function toAuditView(a: AuditEntry): AuditEntryView {
  const parsed = parseJson(a.detailsJson);
  // Rows written before details were bounded may hold anything; one must not break the list.
  const details = jsonBoundsProblem(parsed) === null ? parsed : null;
  return {
    id: a.id,
    atMs: a.atMs,
    actor: a.actor,
    action: a.action,
    target: a.target,
    details: isRecord(details) ? details : {},
  };
}

function countOf(summary: unknown, metric: string): number {
  if (!isRecord(summary) || !isRecord(summary['metrics'])) return 0;
  const m = summary['metrics'][metric];
  const values = isRecord(m) ? m['values'] : undefined;
  const count = isRecord(values) ? values['count'] : undefined;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : 0;
}

function failedThresholds(summary: unknown): number {
  if (!isRecord(summary) || !isRecord(summary['thresholds'])) return 0;
  let failed = 0;
  for (const list of Object.values(summary['thresholds'])) {
    if (!Array.isArray(list)) continue;
    for (const t of list as unknown[]) if (isRecord(t) && t['ok'] === false) failed++;
  }
  return failed;
}

/** A live view built from the run row alone, when the controller holds no live figures (queued, or long ended). */
export function liveFromRun(run: Run, nowMs: number): RunLive {
  const summary = parseJson(run.summaryJson);
  const elapsedMs =
    run.startedAtMs === null ? 0 : Math.max(0, (run.endedAtMs ?? nowMs) - run.startedAtMs);
  return {
    runId: run.id,
    status: run.status,
    statusReason: run.statusReason,
    elapsedMs,
    vus: 0,
    vusMax: 0,
    requestRatePerSec: 0,
    failedRequests: 0,
    intervalRequests: 0,
    errorRate: null,
    p50Ms: null,
    p95Ms: null,
    p99Ms: null,
    totalRequests: countOf(summary, 'http_reqs'),
    iterations: countOf(summary, 'iterations'),
    failingThresholds: failedThresholds(summary),
    generators: [],
  };
}
