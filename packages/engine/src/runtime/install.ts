import { optionsSchema, type Options } from '@stampede/protocol';
import type { MetricRegistry } from '../metrics/registry.ts';
import { API_GLOBAL } from '../bundle/api-modules.ts';
import { HttpAgent } from '../transport/http/index.ts';
import { createCheck } from './check.ts';
import { currentIteration } from './context.ts';
import { createMetricClasses } from './custom-metrics.ts';
import { createDataApi } from './data.ts';
import { createGroup, fail, sleep as plainSleep } from './flow.ts';
import { createHttpApi } from './http-api.ts';
import { MISSING_AWAIT_METRIC, trackAwait } from './missing-await.ts';
import { setBaseTags } from './sample-tags.ts';
import { createScriptConsole } from './script-console.ts';

/** What the script API needs from the process that loads a test bundle. */
export interface ScriptRuntimeDeps {
  registry: MetricRegistry;
  /** Folder that relative data paths resolve against. */
  baseDir: string;
  /** Environment visible to the script: process env plus --env values. */
  env: Readonly<Record<string, string>>;
  checkTarget?: (url: URL) => string | null;
}

/** The installed script API: what tests import, plus the hooks the host uses. */
export interface ScriptRuntime {
  setOptions(options: Options): void;
  /** Agent used by setup(), teardown() and init code; closed by `close()`. */
  readonly sharedAgent: HttpAgent;
  /** Makes a fresh HTTP agent for a VU, configured from the options. */
  newAgent(): HttpAgent;
  close(): void;
}

/** Publishes the script API on the global object, where bundled tests' 'stampede' imports find it. */
export function installScriptRuntime(deps: ScriptRuntimeDeps): ScriptRuntime {
  let options: Options = optionsSchema.parse({});
  const newAgent = (): HttpAgent =>
    new HttpAgent({
      keepAlive: !options.noConnectionReuse,
      cookieJar: null,
      userAgent: options.userAgent,
    });
  let shared: HttpAgent | undefined;
  const sharedAgent = (): HttpAgent => (shared ??= newAgent());
  const { registry } = deps;
  registry.define('group_duration', 'trend', { isTime: true });
  registry.define(MISSING_AWAIT_METRIC, 'counter');
  const rawHttp = createHttpApi({
    registry,
    getOptions: () => options,
    fallbackAgent: sharedAgent,
    ...(deps.checkTarget ? { checkTarget: deps.checkTarget } : {}),
  });
  // Each Promise-returning call is tracked, so a forgotten `await` fails the run.
  const http = trackedMethods('http', rawHttp);
  const check = createCheck(registry);
  const group = trackAwait('group', createGroup(registry));
  const sleep = trackAwait('sleep', plainSleep);
  const data = createDataApi(deps.baseDir);
  const metrics = createMetricClasses(registry);
  const testEnv = Object.freeze({ ...deps.env });
  // Reads see the running scenario's env (scenario `env` option) over the test's.
  const env = new Proxy(testEnv, {
    get: (target, key) => {
      const scoped = currentIteration()?.env ?? target;
      return typeof key === 'string' ? scoped[key] : undefined;
    },
    has: (target, key) => typeof key === 'string' && key in (currentIteration()?.env ?? target),
    ownKeys: () => Reflect.ownKeys(currentIteration()?.env ?? testEnv),
    getOwnPropertyDescriptor: (target, key) => {
      const scoped = currentIteration()?.env ?? target;
      if (typeof key !== 'string' || !(key in scoped)) return undefined;
      return { value: scoped[key], enumerable: true, configurable: true, writable: false };
    },
  });
  const vu = Object.freeze({
    get id() {
      return currentIteration()?.vu.id ?? 0;
    },
    get iteration() {
      return currentIteration()?.vu.iterations ?? 0;
    },
    get iterationInScenario() {
      return currentIteration()?.vuIteration ?? 0;
    },
  });
  const scenario = Object.freeze({
    get name() {
      return currentIteration()?.scenario ?? '';
    },
    get iteration() {
      return currentIteration()?.scenarioIteration ?? 0;
    },
  });
  const main = {
    http,
    check,
    sleep,
    group,
    fail,
    vu,
    scenario,
    env,
    open: data.open,
    SharedArray: data.SharedArray,
  };
  const api = {
    stampede: main,
    'stampede/http': { http },
    'stampede/metrics': metrics,
    'stampede/data': data,
  };
  const g = globalThis as Record<string, unknown>;
  g[API_GLOBAL] = api;
  // Script output must not mix into the summary on stdout (`stampede run t.ts > result.txt`).
  g['console'] = createScriptConsole();
  // k6 habits: __ENV, __VU and __ITER work as globals too.
  g['__ENV'] = env;
  Object.defineProperty(globalThis, '__VU', {
    configurable: true,
    get: () => currentIteration()?.vu.id ?? 0,
  });
  Object.defineProperty(globalThis, '__ITER', {
    configurable: true,
    get: () => currentIteration()?.vuIteration ?? 0,
  });
  return {
    setOptions(next) {
      options = next;
      setBaseTags(next.tags);
    },
    get sharedAgent() {
      return sharedAgent();
    },
    newAgent,
    close() {
      shared?.close();
    },
  };
}

/** A copy of `api` whose function properties are wrapped by trackAwait (named `${prefix}.${key}`). */
function trackedMethods<T extends object>(prefix: string, api: T): T {
  const out = { ...api } as Record<string, unknown>;
  for (const [key, value] of Object.entries(api)) {
    if (typeof value === 'function') {
      out[key] = trackAwait(`${prefix}.${key}`, (value as (...a: unknown[]) => unknown).bind(api));
    }
  }
  return out as T;
}
