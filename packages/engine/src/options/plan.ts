import { optionsSchema, type Options, type Scenario } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { formatZodIssues } from './zod-issues.ts';

/** Option overrides given on the command line; they win over the script's options (as in k6). */
export interface OptionOverrides {
  vus?: number;
  durationMs?: number;
  iterations?: number;
  stages?: { duration: number; target: number }[];
  /** Arrival rate per second: turns the test into one constant-arrival-rate scenario. */
  ratePerSec?: number;
  maxVus?: number;
  insecureSkipTLSVerify?: boolean;
  /** Tags on every sample (`--tag key=value`); they win over the script's `options.tags`. */
  tags?: Record<string, string>;
}

/** A validated, normalised test plan: options with every shortcut expanded into named scenarios. */
export interface Plan {
  options: Options;
  scenarios: Record<string, Scenario>;
}

const EXECUTORS = [
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
  'shared-iterations',
  'constant-arrival-rate',
  'ramping-arrival-rate',
];

/** Validates a script's exported options, applies CLI overrides and expands shortcuts into scenarios. */
export function resolvePlan(raw: unknown, overrides: OptionOverrides = {}): Plan {
  const input = raw === undefined ? {} : raw;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EngineError('INVALID_OPTIONS', 'options: must be an object');
  }
  const merged: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  checkExecutorNames(merged['scenarios']);
  applyOverrides(merged, overrides);
  const parsed = optionsSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) {
    throw new EngineError(
      'INVALID_OPTIONS',
      formatZodIssues(parsed.error.issues, 'options', {
        schema: optionsSchema,
        input: merged,
      }),
      {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    );
  }
  const options = parsed.data;
  const scenarios = options.scenarios ?? shortcutScenarios(options);
  for (const [name, s] of Object.entries(scenarios)) checkScenario(name, s);
  return { options, scenarios };
}

function applyOverrides(merged: Record<string, unknown>, o: OptionOverrides): void {
  if (o.insecureSkipTLSVerify !== undefined)
    merged['insecureSkipTLSVerify'] = o.insecureSkipTLSVerify;
  if (o.tags !== undefined && Object.keys(o.tags).length > 0) {
    const own = merged['tags'];
    const base = typeof own === 'object' && own !== null ? (own as Record<string, unknown>) : {};
    merged['tags'] = { ...base, ...o.tags };
  }
  if (o.ratePerSec !== undefined) {
    if (o.durationMs === undefined) {
      throw new EngineError('INVALID_OPTIONS', '--rate needs --duration');
    }
    const defaultPre = Math.min(Math.max(Math.ceil(o.ratePerSec / 10), 10), 1000);
    const pre = o.vus ?? Math.min(defaultPre, o.maxVus ?? defaultPre);
    const max = o.maxVus ?? Math.max(pre, Math.min(Math.ceil(o.ratePerSec * 10), 10_000));
    delete merged['vus'];
    delete merged['duration'];
    delete merged['iterations'];
    delete merged['stages'];
    merged['scenarios'] = {
      default: {
        executor: 'constant-arrival-rate',
        rate: o.ratePerSec,
        timeUnit: 1000,
        duration: o.durationMs,
        preAllocatedVUs: pre,
        maxVUs: max,
      },
    };
    return;
  }
  const shortcut =
    o.vus !== undefined ||
    o.durationMs !== undefined ||
    o.iterations !== undefined ||
    o.stages !== undefined;
  if (!shortcut) return;
  // As in k6: shortcut flags replace the script's scenarios.
  delete merged['scenarios'];
  if (o.vus !== undefined) merged['vus'] = o.vus;
  if (o.durationMs !== undefined) merged['duration'] = o.durationMs;
  if (o.iterations !== undefined) merged['iterations'] = o.iterations;
  if (o.stages !== undefined) merged['stages'] = o.stages;
}

function shortcutScenarios(options: Options): Record<string, Scenario> {
  const common = { startTime: 0, gracefulStop: 30_000, exec: 'default', env: {}, tags: {} };
  const vus = options.vus ?? 1;
  if (options.stages) {
    return {
      default: {
        executor: 'ramping-vus',
        startVUs: options.vus ?? 1,
        stages: options.stages,
        gracefulRampDown: 30_000,
        ...common,
      },
    };
  }
  if (options.iterations !== undefined) {
    return {
      default: {
        executor: 'shared-iterations',
        vus,
        iterations: options.iterations,
        maxDuration: options.duration ?? 600_000,
        ...common,
      },
    };
  }
  if (options.duration !== undefined) {
    return { default: { executor: 'constant-vus', vus, duration: options.duration, ...common } };
  }
  return {
    default: { executor: 'per-vu-iterations', vus, iterations: 1, maxDuration: 600_000, ...common },
  };
}

function checkExecutorNames(scenarios: unknown): void {
  if (typeof scenarios !== 'object' || scenarios === null) return;
  for (const [name, s] of Object.entries(scenarios)) {
    const executor = (s as { executor?: unknown } | null)?.executor;
    if (executor === undefined) {
      throw new EngineError(
        'INVALID_OPTIONS',
        `options.scenarios.${name}.executor: is required (one of ${EXECUTORS.join(', ')})`,
      );
    }
    if (typeof executor !== 'string' || !EXECUTORS.includes(executor)) {
      throw new EngineError(
        'INVALID_OPTIONS',
        `options.scenarios.${name}.executor: unknown executor ${JSON.stringify(executor)} (one of ${EXECUTORS.join(', ')})`,
      );
    }
  }
}

function checkScenario(name: string, s: Scenario): void {
  const at = `options.scenarios.${name}`;
  if (
    (s.executor === 'constant-arrival-rate' || s.executor === 'ramping-arrival-rate') &&
    s.maxVUs !== undefined &&
    s.maxVUs < s.preAllocatedVUs
  ) {
    throw new EngineError(
      'INVALID_OPTIONS',
      `${at}.maxVUs: must be >= preAllocatedVUs (${s.preAllocatedVUs})`,
    );
  }
  if (
    (s.executor === 'constant-vus' || s.executor === 'constant-arrival-rate') &&
    s.duration <= 0
  ) {
    throw new EngineError('INVALID_OPTIONS', `${at}.duration: must be > 0`);
  }
  if (s.executor === 'constant-arrival-rate' && s.timeUnit <= 0) {
    throw new EngineError('INVALID_OPTIONS', `${at}.timeUnit: must be > 0`);
  }
}
