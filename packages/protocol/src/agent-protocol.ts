// Wire format between agents (generators) and the controller, after enrollment. Every message
// carries `protocolVersion`; both ends validate bodies with these schemas.
//
// Routes (HTTPS with mutual TLS; the agent id comes from the client certificate, never the body):
//   POST /agent/v1/enroll                 EnrollRequest → EnrollResponse (join token, no cert)
//   POST /agent/v1/renew                  RenewRequest → EnrollResponse
//   POST /agent/v1/heartbeat              Heartbeat → HeartbeatAck (extends the lease)
//   GET  /agent/v1/commands?after=V&waitMs=W   → CommandPoll (long-poll; returns at once when the
//                                         desired state's version differs from V, else after W ms)
//   POST /agent/v1/state                  AgentStateReport → { protocolVersion, ok: true }
//   POST /agent/v1/metrics                MetricBatch → MetricAck
//   GET  /agent/v1/archives/:sha256       the test archive bytes (application/octet-stream)
import { z } from 'zod';
import { thresholdsSchema } from './options.ts';
import { intervalSnapshotSchema, metricTypeSchema } from './snapshot.ts';

/** Version of the agent ↔ controller messages; bumped on incompatible changes. */
export const AGENT_PROTOCOL_VERSION = 1;

const version = z.literal(AGENT_PROTOCOL_VERSION);
const runId = z.string().min(1).max(64);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** What an agent is doing, as it reports it. */
export const agentActivitySchema = z.enum([
  'idle',
  'preparing',
  'ready',
  'running',
  'stopping',
  'finished',
  'failed',
]);
/** What an agent is doing. */
export type AgentActivity = z.output<typeof agentActivitySchema>;

/** Health of a whole generator over the last heartbeat period. */
export const generatorHealthSchema = z.strictObject({
  /** Process CPU time over wall time (1 = one core busy). */
  cpuUtilization: z.number().nonnegative(),
  /** Event-loop delay p99 of the supervisor thread, ms. */
  eventLoopDelayP99Ms: z.number().nonnegative(),
  rssBytes: z.number().int().nonnegative(),
  heapUsedBytes: z.number().int().nonnegative(),
  /** Bytes sent and received by load workers since the run started (0 when unknown). */
  netSentBytes: z.number().nonnegative(),
  netReceivedBytes: z.number().nonnegative(),
  /** Whether any load worker reported saturation in the last interval. */
  saturated: z.boolean(),
});
/** Health of a whole generator. */
export type GeneratorHealth = z.output<typeof generatorHealthSchema>;

/** Body of `POST /agent/v1/heartbeat`, sent every 2 s. */
export const heartbeatSchema = z.strictObject({
  protocolVersion: version,
  /** Agent wall clock when sending, Unix epoch ms (for the clock offset). */
  sentAtMs: z.number(),
  activity: agentActivitySchema,
  runId: runId.nullable(),
  health: generatorHealthSchema.nullable(),
});
/** A heartbeat. */
export type Heartbeat = z.output<typeof heartbeatSchema>;

/** Answer to a heartbeat: the lease is extended by `leaseMs` from when the agent sent it. */
export const heartbeatAckSchema = z.strictObject({
  protocolVersion: version,
  /** Controller wall clock when answering, Unix epoch ms. */
  serverTimeMs: z.number(),
  leaseMs: z.number().int().positive(),
  /** Version of the desired state; the agent polls commands when it differs from its own. */
  commandVersion: z.number().int().nonnegative(),
});
/** Answer to a heartbeat. */
export type HeartbeatAck = z.output<typeof heartbeatAckSchema>;

/** What one generator runs: its share of the plan and everything needed to load the test. */
export const prepareCommandSchema = z.strictObject({
  kind: z.literal('prepare'),
  runId,
  archiveSha256: sha256,
  /** Option overrides as given to the run (JSON of the engine's OptionOverrides). */
  overridesJson: z.string(),
  env: z.record(z.string(), z.string()),
  /** This generator's share, "i/N:(i+1)/N", and the whole partition ("0,1/N,…,1"). */
  segment: z.string(),
  segmentSequence: z.string(),
  generatorIndex: z.number().int().nonnegative(),
  generatorCount: z.number().int().positive(),
  /** Only generator 0 runs setup() and teardown(); the others get setup's data with `start`. */
  runSetup: z.boolean(),
  allowTargets: z.array(z.string()),
  /** Metric snapshot source prefix, unique per generator in the run ("g0"). */
  source: z.string().min(1).max(32),
});
/** A prepare command. */
export type PrepareCommand = z.output<typeof prepareCommandSchema>;

/** The desired state of one agent, versioned; agents apply it idempotently. */
export const agentCommandSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('idle') }),
  prepareCommandSchema,
  z.strictObject({
    kind: z.literal('start'),
    runId,
    /** The instant load starts, controller wall clock, Unix epoch ms. */
    startAtMs: z.number(),
    /** JSON of setup()'s result (null without setup). */
    setupDataJson: z.string().nullable(),
  }),
  z.strictObject({
    kind: z.literal('stop'),
    runId,
    graceful: z.boolean(),
    reason: z.string(),
  }),
  z.strictObject({ kind: z.literal('terminate'), reason: z.string() }),
]);
/** A command (the agent's desired state). */
export type AgentCommand = z.output<typeof agentCommandSchema>;

/** Answer of the command long-poll. */
export const commandPollSchema = z.strictObject({
  protocolVersion: version,
  commandVersion: z.number().int().nonnegative(),
  command: agentCommandSchema,
  serverTimeMs: z.number(),
});
/** Answer of the command long-poll. */
export type CommandPoll = z.output<typeof commandPollSchema>;

/** Body of `POST /agent/v1/state`: a change of the agent's run activity. */
export const agentStateReportSchema = z.strictObject({
  protocolVersion: version,
  runId,
  activity: agentActivitySchema,
  /** Set with `ready` by the generator that ran setup(). */
  setupDataJson: z.string().nullable().optional(),
  /**
   * Set with `ready` by generator 0: what the controller needs of the resolved plan, since it runs
   * no user code (thresholds are evaluated live on the merged stream, the summary lists scenarios).
   */
  plan: z
    .strictObject({
      /** The resolved `options.thresholds` (after CLI overrides). */
      thresholds: thresholdsSchema,
      /** The type of every metric a threshold names, built-in or defined by the script. */
      metricTypes: z.record(z.string(), metricTypeSchema),
      /** Executor of every scenario of the plan, by scenario name. */
      scenarios: z.record(z.string(), z.strictObject({ executor: z.string() })),
      /** Longest time the plan can run, start to last graceful stop, ms (bounds the running state). */
      maxDurationMs: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Set with `finished`/`failed`: the last seq of every snapshot source, so the controller knows when it has all. */
  lastSeqs: z.record(z.string(), z.number().int().min(-1)).optional(),
  /** Iterations completed and dropped per scenario, set with `finished`. */
  scenarios: z
    .record(
      z.string(),
      z.strictObject({
        iterations: z.number().int().nonnegative(),
        droppedIterations: z.number().int().nonnegative(),
      }),
    )
    .optional(),
  error: z
    .strictObject({ code: z.string(), message: z.string().max(8192) })
    .nullable()
    .optional(),
  /** Log lines since the last report. */
  logs: z
    .array(
      z.strictObject({
        level: z.enum(['debug', 'info', 'warn', 'error']),
        message: z.string().max(8192),
        atMs: z.number(),
      }),
    )
    .max(1000)
    .optional(),
});
/** A state report. */
export type AgentStateReport = z.output<typeof agentStateReportSchema>;

/** Body of `POST /agent/v1/metrics`: spooled snapshots, oldest first. */
export const metricBatchSchema = z.strictObject({
  protocolVersion: version,
  runId,
  snapshots: z.array(intervalSnapshotSchema).max(500),
});
/** A metric batch. */
export type MetricBatch = z.output<typeof metricBatchSchema>;

/** Answer to a metric batch: every (source, seq) now stored, new or already there. */
export const metricAckSchema = z.strictObject({
  protocolVersion: version,
  acked: z.array(z.strictObject({ source: z.string(), seq: z.number().int().nonnegative() })),
});
/** Answer to a metric batch. */
export type MetricAck = z.output<typeof metricAckSchema>;

/** A test archive: the bundled script and the data files its init code opened, as shipped to generators. */
export const testArchiveSchema = z.strictObject({
  v: z.literal(1),
  /** File name of the bundled script (used in stack traces). */
  scriptName: z.string().min(1),
  /** The bundled JavaScript (ESM). */
  script: z.string(),
  /** Data files by path relative to the test's directory, base64. */
  files: z.record(z.string(), z.string()),
  /** Hosts ("host:port") the test's own sources name, for the allow-list check before start. */
  targets: z.array(z.string()),
});
/** A test archive. */
export type TestArchive = z.output<typeof testArchiveSchema>;
