// Bodies, queries and answers of the controller's REST API under /api/v1 (docs/api.md). The
// controller validates requests with these schemas, generates its OpenAPI document from them, and
// the CLI and the web UI parse answers with them. Times are Unix epoch ms.
import { z } from 'zod';
import { jsonBoundsProblem } from './json-bounds.ts';
import { generatorHealthSchema } from './agent-protocol.ts';
import { generatorStatusSchema, logLevelSchema, runStatusSchema } from './statuses.ts';
import { summarySchema } from './summary.ts';

/** Version of the REST API, the `v1` of its path prefix. */
export const API_VERSION = 1;
/** Path prefix of every REST route. */
export const API_PREFIX = '/api/v1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
// Control characters have no place in names and ids (and PostgreSQL refuses NUL in text).
const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be an id (letters, digits, _.:-)');
const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');
const epochMs = z.number();
const nullableMs = z.number().nullable();
const reason = z
  .string()
  .min(1)
  .max(1000)
  .regex(
    /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/,
    'must not contain control characters',
  );
// Query integers are plain decimals: no empty value, sign, hex, exponent or fraction.
const decimal = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, 'must be a decimal integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const limit = (max: number) => decimal(1, max).optional();
const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .min(1, 'must name at least one value (leave the parameter out for all)')
    .transform((s) => s.split(','))
    .pipe(z.array(item));

/** Stable error codes of the API; new codes may appear, so clients treat unknown ones by HTTP status. */
export const API_ERROR_CODES = [
  'INVALID_REQUEST', // 400: body, query or path parameters fail the schema; details.issues name the paths
  'MALFORMED_JSON', // 400: the body is not JSON
  'INVALID_INPUT', // 400: a value the store refuses (a bad cursor)
  'MALFORMED_REQUEST', // 400: not a valid HTTP request (answered by the HTTP layer)
  'REQUEST_TIMEOUT', // 408: the request took too long to arrive
  'EXPECTATION_FAILED', // 417: an Expect header other than 100-continue
  'HEADERS_TOO_LARGE', // 431: request headers over the server's limit
  'UNAUTHENTICATED', // 401: no bearer token, or an unknown or revoked one
  'INVALID_TOKEN', // 401: a malformed token
  'TOKEN_USED', // 401: a join token was already redeemed
  'TOKEN_EXPIRED', // 401: a join token is past its expiry
  'CERT_INVALID', // 401: a client certificate lacks clientAuth or an agent identity
  'CERT_UNKNOWN_CA', // 401: a client certificate from another CA
  'CERT_NOT_YET_VALID', // 401
  'CERT_EXPIRED', // 401
  'FORBIDDEN', // 403: the token lacks the route's scope
  'CERT_REVOKED', // 403
  'NOT_FOUND', // 404: unknown id or route
  'ARCHIVE_NOT_FOUND', // 404: a run names an archive that was never uploaded
  'CONFLICT', // 409: a duplicate, or not enough generators
  'INVALID_STATE', // 409: the resource's state forbids the operation
  'RUN_TERMINAL', // 409: the run has already ended
  'NO_BASELINE', // 409: a compare job names a test and branch with no stored baseline
  'PAYLOAD_TOO_LARGE', // 413: the body exceeds the route's limit
  'UNSUPPORTED_MEDIA_TYPE', // 415: the Content-Type is not the route's
  'INVALID_ARCHIVE', // 422: uploaded bytes are not a test archive
  'SHA256_MISMATCH', // 422: the x-stampede-sha256 header does not match the bytes
  'TARGET_NOT_ALLOWED', // 422: the test names a host outside the allow-list
  'CAP_EXCEEDED', // 422: duration, rate or generator count above the installation's caps
  'POOL_NOT_FOUND', // 422: a run names a pool with no generator and no unused join token
  'INVALID_CSR', // 422
  'INVALID_AGENT_ID', // 422
  'INVALID_VALIDITY', // 422
  'INTERNAL', // 500
  'UNAVAILABLE', // 503: the database cannot be reached
] as const;
/** A stable error code of the API. */
export const apiErrorCodeSchema = z.enum(API_ERROR_CODES);
/** A stable error code of the API. */
export type ApiErrorCode = z.output<typeof apiErrorCodeSchema>;

/** Every error answer: a stable code, a message for people naming the bad field, and details. */
export const apiErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
/** An error answer. */
export type ApiErrorBody = z.output<typeof apiErrorSchema>;

/** One failed check of a request, in `details.issues` of INVALID_REQUEST. */
export const apiIssueSchema = z.strictObject({ path: z.string(), message: z.string() });
/** One failed check of a request. */
export type ApiIssue = z.output<typeof apiIssueSchema>;

/** A page of results; pass `nextCursor` as `cursor` for the next one (null at the end). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Path parameter of routes on one resource. */
export const idParamsSchema = z.strictObject({ id });
/** Path parameter of archive routes. */
export const sha256ParamsSchema = z.strictObject({ sha256 });

/** Answer of `GET /api/v1/health` (no token needed). */
export const healthSchema = z.strictObject({
  status: z.literal('ok'),
  /** Version of the controller. */
  version: z.string(),
  apiVersion: z.literal(API_VERSION),
  /** Version of the agent protocol the controller speaks. */
  protocolVersion: z.number().int(),
});
/** Answer of the health route. */
export type Health = z.output<typeof healthSchema>;

/** Scopes of an API token: `read` for GETs, `run` to upload archives and start or abort runs, `admin` for everything. */
export const API_SCOPES = ['read', 'run', 'admin'] as const;
/** A scope of an API token. */
export const apiScopeSchema = z.enum(API_SCOPES);
/** A scope of an API token. */
export type ApiScope = z.output<typeof apiScopeSchema>;

/** Answer of `POST /api/v1/archives` and `GET /api/v1/archives/:sha256`. */
export const archiveInfoSchema = z.strictObject({
  sha256,
  sizeBytes: z.number().int().nonnegative(),
  createdAtMs: epochMs,
  /** False when the same bytes were uploaded before (uploads are idempotent). */
  created: z.boolean().optional(),
});
/** A stored test archive without its bytes. */
export type ArchiveInfo = z.output<typeof archiveInfoSchema>;

/** One stage of a ramping override: reach `target` linearly over `duration` ms. */
export const overrideStageSchema = z.strictObject({
  duration: z.number().int().nonnegative(),
  target: z.number().int().nonnegative(),
});

const KNOWN_OVERRIDE_KEYS: ReadonlySet<string> = new Set([
  'vus',
  'durationMs',
  'iterations',
  'stages',
  'ratePerSec',
  'maxVus',
  'insecureSkipTLSVerify',
]);
// One level is the overrides object itself.
const MAX_OVERRIDE_DEPTH = 31;

/**
 * Option overrides of a run, the engine's OptionOverrides (they win over the script's options,
 * as CLI flags do). Known keys are typed; unknown keys are kept and passed on to the engine.
 */
export const runOverridesSchema = z
  .looseObject({
    vus: z.number().int().positive().optional(),
    durationMs: z.number().int().positive().optional(),
    iterations: z.number().int().positive().optional(),
    stages: z.array(overrideStageSchema).min(1).optional(),
    /** Arrival rate per second: turns the test into one constant-arrival-rate scenario (needs durationMs). */
    ratePerSec: z.number().positive().optional(),
    maxVus: z.number().int().positive().optional(),
    insecureSkipTLSVerify: z.boolean().optional(),
    /** Tags on every sample of the run (`--tag key=value`), over the script's `options.tags`. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  })
  .refine((o) => o.ratePerSec === undefined || o.durationMs !== undefined, {
    message: 'ratePerSec needs durationMs',
    path: ['durationMs'],
  })
  .superRefine((o, ctx) => {
    // Unknown keys are free-form JSON: bounded in depth and size, each named when it breaks them.
    let found = false;
    for (const [key, value] of Object.entries(o)) {
      if (KNOWN_OVERRIDE_KEYS.has(key)) continue;
      const problem = jsonBoundsProblem(value, MAX_OVERRIDE_DEPTH);
      if (problem === null) continue;
      found = true;
      ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
    const whole = found ? null : jsonBoundsProblem(o);
    if (whole !== null) ctx.addIssue({ code: 'custom', path: [], message: whole });
  });
/** Option overrides of a run. */
export type RunOverrides = z.output<typeof runOverridesSchema>;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment name');
/** What a run label key may hold. */
export const labelKeyPattern = /^[A-Za-z0-9_.:/-]{1,64}$/;
const labelKey = z.string().regex(labelKeyPattern, 'must match [A-Za-z0-9_.:/-]{1,64}');

/** Body of `POST /api/v1/runs`: run an uploaded archive on `generators` generators of `pool`. */
export const runCreateSchema = z.strictObject({
  archiveSha256: sha256,
  generators: z.number().int().min(1).default(1),
  overrides: runOverridesSchema.default({}),
  /** Environment of the script (`__ENV`). */
  env: z.record(envName, z.string().max(65_536)).default({}),
  labels: z.record(labelKey, z.string().max(256)).default({}),
  /** Generator pool; the controller's default pool when absent. */
  pool: name.optional(),
  /** Project by id or name (its policy applies); the default project when absent. */
  projectId: id.optional(),
});
/** Body of a run creation, as sent. */
export type RunCreateInput = z.input<typeof runCreateSchema>;
/** Body of a run creation, validated with defaults. */
export type RunCreate = z.output<typeof runCreateSchema>;

/** The run's `planJson` as the API stores it; the scheduler parses it to build prepare commands. */
export const runPlanSchema = z.strictObject({
  archiveSha256: sha256,
  overrides: runOverridesSchema,
  env: z.record(z.string(), z.string()),
  /** The allow-list the load workers enforce: the project's effective one when the run was queued (absent in older plans). */
  allowTargets: z.array(z.string()).optional(),
  /** The effective cap on the run's duration when it was queued, ms (absent in older plans). */
  maxDurationMs: z.number().int().positive().optional(),
});
/** A run's stored plan. */
export type RunPlan = z.output<typeof runPlanSchema>;

/** A run as the API shows it; environment values are left out (they may hold secrets). */
export const runViewSchema = z.strictObject({
  id,
  projectId: id,
  status: runStatusSchema,
  statusReason: z.string(),
  /** When the current status times out, or null. */
  stateDeadlineMs: nullableMs,
  archiveSha256: z.string(),
  generatorsRequested: z.number().int().positive(),
  pool: z.string(),
  createdBy: z.string(),
  createdAtMs: epochMs,
  startedAtMs: nullableMs,
  endedAtMs: nullableMs,
  labels: z.record(z.string(), z.string()),
  overrides: runOverridesSchema,
  /** Names of the environment variables given to the script. */
  envKeys: z.array(z.string()),
  /** The end-of-test summary once stored (also at `GET /api/v1/runs/:id/summary`). */
  summary: summarySchema.nullable(),
});
/** A run as the API shows it. */
export type RunView = z.output<typeof runViewSchema>;

/** A page of runs, newest first. */
export const runPageSchema = pageSchema(runViewSchema);
/** A page of runs. */
export type RunPage = z.output<typeof runPageSchema>;

/** Query of `GET /api/v1/runs`. */
export const runListQuerySchema = z.strictObject({
  /** Comma-separated statuses. */
  status: commaList(runStatusSchema).optional(),
  projectId: id.optional(),
  /** Comma-separated `key=value` pairs; a run matches when it carries every one of them. */
  label: z
    .string()
    .max(2048)
    .transform((text, ctx) => {
      const out: Record<string, string> = {};
      for (const part of text.split(',')) {
        const eq = part.indexOf('=');
        const key = eq < 0 ? '' : part.slice(0, eq);
        if (!labelKeyPattern.test(key)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${part}" must be key=value with key matching ${labelKeyPattern.source}`,
          });
          return z.NEVER;
        }
        out[key] = part.slice(eq + 1);
      }
      return out;
    })
    .optional(),
  limit: limit(500),
  cursor: z.string().min(1).max(512).optional(),
});

/** One recorded status change of a run; seq 1 is the creation (`from` null). */
export const runTransitionSchema = z.strictObject({
  seq: z.number().int().positive(),
  from: runStatusSchema.nullable(),
  to: runStatusSchema,
  reason: z.string(),
  atMs: epochMs,
});
/** One status change of a run. */
export type RunTransitionView = z.output<typeof runTransitionSchema>;

/** Answer of `GET /api/v1/runs/:id/transitions`, oldest first. */
export const runTransitionListSchema = z.strictObject({ items: z.array(runTransitionSchema) });

/** One log line of a run. */
export const runLogLineSchema = z.strictObject({
  id: z.number().int(),
  atMs: epochMs,
  source: z.string(),
  level: logLevelSchema,
  message: z.string(),
});
/** One log line of a run. */
export type RunLogLine = z.output<typeof runLogLineSchema>;

/** Query of `GET /api/v1/runs/:id/logs`: lines after `afterId`, in append order. */
export const runLogsQuerySchema = z.strictObject({
  afterId: decimal(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: limit(10_000),
});

/** Answer of `GET /api/v1/runs/:id/logs`; poll again with `afterId = nextAfterId` to tail. */
export const runLogsSchema = z.strictObject({
  items: z.array(runLogLineSchema),
  nextAfterId: z.number().int().nonnegative(),
});
/** A slice of a run's log. */
export type RunLogs = z.output<typeof runLogsSchema>;

/** Body of `POST /api/v1/runs/:id/abort` and `POST /api/v1/generators/:id/terminate` (optional). */
export const reasonBodySchema = z.strictObject({ reason: reason.optional() }).optional();
/** Body of an abort or a terminate. */
export type ReasonBody = z.output<typeof reasonBodySchema>;

/** A generator (agent) as the API shows it. */
export const generatorViewSchema = z.strictObject({
  id,
  name: z.string(),
  kind: z.string(),
  pool: z.string(),
  status: generatorStatusSchema,
  runId: z.string().nullable(),
  /** Serial of its current client certificate (lowercase hex). */
  certSerial: z.string().nullable(),
  lastHeartbeatMs: nullableMs,
  createdAtMs: epochMs,
  retiredAtMs: nullableMs,
  /** Health from the last heartbeat, or null. */
  health: generatorHealthSchema.nullable(),
});
/** A generator as the API shows it. */
export type GeneratorView = z.output<typeof generatorViewSchema>;

/** Query of `GET /api/v1/generators`. */
export const generatorListQuerySchema = z.strictObject({
  pool: name.optional(),
  /** Comma-separated statuses. */
  status: commaList(generatorStatusSchema).optional(),
  runId: id.optional(),
  includeRetired: z.stringbool().optional(),
});

/** Answer of `GET /api/v1/generators`, oldest first (not paged: the list is small). */
export const generatorPageSchema = pageSchema(generatorViewSchema);

/** Body of `POST /api/v1/tokens`. */
export const apiTokenCreateSchema = z.strictObject({
  name,
  scopes: z
    .array(apiScopeSchema)
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'scopes must not repeat'),
});
/** Body of an API token creation. */
export type ApiTokenCreate = z.output<typeof apiTokenCreateSchema>;

/** An API token without its secret. */
export const apiTokenViewSchema = z.strictObject({
  id,
  name: z.string(),
  scopes: z.array(apiScopeSchema),
  createdAtMs: epochMs,
  revokedAtMs: nullableMs,
});
/** An API token without its secret. */
export type ApiTokenView = z.output<typeof apiTokenViewSchema>;

/** Answer of `POST /api/v1/tokens`: `token` is shown this once and never stored. */
export const apiTokenCreatedSchema = apiTokenViewSchema.extend({
  token: z.string().regex(/^sta_[A-Za-z0-9_-]{43}$/),
});
/** A freshly created API token. */
export type ApiTokenCreated = z.output<typeof apiTokenCreatedSchema>;

/** Answer of `GET /api/v1/tokens`, newest first. */
export const apiTokenPageSchema = pageSchema(apiTokenViewSchema);

/** Largest lifetime of a join token, ms (30 days). */
export const MAX_JOIN_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
/** Lifetime of a join token when none is asked, ms (1 hour). */
export const DEFAULT_JOIN_TOKEN_TTL_MS = 3600 * 1000;

/** Body of `POST /api/v1/join-tokens` (may be empty). */
export const joinTokenCreateSchema = z
  .strictObject({
    name: name.optional(),
    ttlMs: z.number().int().min(1000).max(MAX_JOIN_TOKEN_TTL_MS).optional(),
  })
  .optional();
/** Body of a join token creation. */
export type JoinTokenCreate = z.output<typeof joinTokenCreateSchema>;

/** Answer of `POST /api/v1/join-tokens`: `token` is shown this once; an agent redeems it once. */
export const joinTokenCreatedSchema = z.strictObject({
  id,
  name: z.string(),
  token: z.string().regex(/^stj_[A-Za-z0-9_-]{43}$/),
  expiresAtMs: epochMs,
});
/** A freshly created join token. */
export type JoinTokenCreated = z.output<typeof joinTokenCreatedSchema>;

/** A join token without its secret. */
export const joinTokenViewSchema = z.strictObject({
  id,
  name: z.string(),
  createdAtMs: epochMs,
  expiresAtMs: epochMs,
  usedAtMs: nullableMs,
  state: z.enum(['unused', 'used', 'expired']),
});
/** A join token without its secret. */
export type JoinTokenView = z.output<typeof joinTokenViewSchema>;

/** Answer of `GET /api/v1/join-tokens`, newest first. */
export const joinTokenPageSchema = pageSchema(joinTokenViewSchema);

/** One audit log entry: who (`actor`, "name (token id)") did what to which target. */
export const auditEntrySchema = z.strictObject({
  id: z.number().int(),
  atMs: epochMs,
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
});
/** One audit log entry. */
export type AuditEntryView = z.output<typeof auditEntrySchema>;

/** Query of `GET /api/v1/audit`. */
export const auditQuerySchema = z.strictObject({
  limit: limit(500),
  cursor: z
    .string()
    .regex(/^[0-9]{1,15}$/, 'must be a cursor from a previous page')
    .optional(),
});

/** Answer of `GET /api/v1/audit`, newest first. */
export const auditPageSchema = pageSchema(auditEntrySchema);

/** A `limit` query parameter: a plain decimal integer from 1 to `max`, optional. */
export const queryLimitSchema = limit;
