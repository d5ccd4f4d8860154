import { z } from 'zod';
import { durationMs } from './duration.ts';

const tags = z.record(z.string(), z.string());
const envVars = z.record(z.string(), z.string());
const count = (what: string) =>
  z.number().int(`${what} must be an integer`).nonnegative(`${what} must be >= 0`);

const common = {
  startTime: durationMs.default(0),
  gracefulStop: durationMs.default(30_000),
  exec: z.string().min(1).default('default'),
  env: envVars.default({}),
  tags: tags.default({}),
};

/** One stage of a ramping executor: reach `target` (VUs or iterations per timeUnit) linearly over `duration`. */
export const stageSchema = z.strictObject({ duration: durationMs, target: count('target') });

/** k6's constant-vus executor: a fixed number of VUs loop for a duration. */
export const constantVusSchema = z.strictObject({
  executor: z.literal('constant-vus'),
  vus: count('vus').default(1),
  duration: durationMs,
  ...common,
});
/** k6's ramping-vus executor: the VU count follows stages. */
export const rampingVusSchema = z.strictObject({
  executor: z.literal('ramping-vus'),
  startVUs: count('startVUs').default(1),
  stages: z.array(stageSchema).min(1, 'stages needs at least one stage'),
  gracefulRampDown: durationMs.default(30_000),
  ...common,
});
/** k6's per-vu-iterations executor: each VU runs a fixed number of iterations. */
export const perVuIterationsSchema = z.strictObject({
  executor: z.literal('per-vu-iterations'),
  vus: count('vus').default(1),
  iterations: count('iterations').default(1),
  maxDuration: durationMs.default(600_000),
  ...common,
});
/** k6's shared-iterations executor: VUs share a fixed number of iterations. */
export const sharedIterationsSchema = z.strictObject({
  executor: z.literal('shared-iterations'),
  vus: count('vus').default(1),
  iterations: count('iterations').default(1),
  maxDuration: durationMs.default(600_000),
  ...common,
});
/** k6's constant-arrival-rate executor: `rate` iterations start every `timeUnit`, whatever the response times. */
export const constantArrivalRateSchema = z.strictObject({
  executor: z.literal('constant-arrival-rate'),
  rate: z.number().positive('rate must be > 0'),
  timeUnit: durationMs.default(1000),
  duration: durationMs,
  preAllocatedVUs: count('preAllocatedVUs'),
  maxVUs: count('maxVUs').optional(),
  ...common,
});
/** k6's ramping-arrival-rate executor: the iteration start rate follows stages. */
export const rampingArrivalRateSchema = z.strictObject({
  executor: z.literal('ramping-arrival-rate'),
  startRate: z.number().nonnegative('startRate must be >= 0').default(0),
  timeUnit: durationMs.default(1000),
  stages: z.array(stageSchema).min(1, 'stages needs at least one stage'),
  preAllocatedVUs: count('preAllocatedVUs'),
  maxVUs: count('maxVUs').optional(),
  ...common,
});

/** One scenario of a test: which executor drives which exported function. */
export const scenarioSchema = z.discriminatedUnion('executor', [
  constantVusSchema,
  rampingVusSchema,
  perVuIterationsSchema,
  sharedIterationsSchema,
  constantArrivalRateSchema,
  rampingArrivalRateSchema,
]);

/** A threshold: an expression such as "p(95)<200", optionally aborting the test when it fails. */
export const thresholdSchema = z.union([
  z.string().min(1),
  z.strictObject({
    threshold: z.string().min(1),
    abortOnFail: z.boolean().default(false),
    delayAbortEval: durationMs.default(0),
  }),
]);

/** Thresholds keyed by metric, optionally with a tag filter: `http_req_duration{status:200}`. */
export const thresholdsSchema = z.record(z.string().min(1), z.array(thresholdSchema));

/** The `options` a test script exports (k6 names); shortcuts vus/duration/iterations/stages expand to one scenario. */
export const optionsSchema = z.strictObject({
  vus: count('vus').optional(),
  duration: durationMs.optional(),
  iterations: count('iterations').optional(),
  stages: z.array(stageSchema).min(1).optional(),
  scenarios: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]+$/, 'scenario names use letters, digits, _ and -'),
      scenarioSchema,
    )
    .optional(),
  thresholds: thresholdsSchema.default({}),
  insecureSkipTLSVerify: z.boolean().default(false),
  maxRedirects: count('maxRedirects').default(10),
  httpTimeout: durationMs.default(60_000),
  userAgent: z.string().default('Stampede/0.1.0'),
  discardResponseBodies: z.boolean().default(false),
  noConnectionReuse: z.boolean().default(false),
  /** Keep each VU's cookies from one iteration to the next (k6 clears them by default). */
  noCookiesReset: z.boolean().default(false),
  setupTimeout: durationMs.default(60_000),
  teardownTimeout: durationMs.default(60_000),
  tags: tags.default({}),
  maxResponseBodyBytes: count('maxResponseBodyBytes').default(64 * 1024 * 1024),
});

/** Options as written in a script (before defaults). */
export type OptionsInput = z.input<typeof optionsSchema>;
/** Options after validation and defaults; durations in milliseconds. */
export type Options = z.output<typeof optionsSchema>;
/** One validated scenario; durations in milliseconds. */
export type Scenario = z.output<typeof scenarioSchema>;
/** Executor name. */
export type ExecutorName = Scenario['executor'];
/** One validated ramping stage; duration in milliseconds. */
export type Stage = z.output<typeof stageSchema>;
/** One validated threshold entry. */
export type ThresholdInput = z.output<typeof thresholdSchema>;
