import type { Scenario } from '@stampede/protocol';
import { CookieJar } from 'tough-cookie';
import type { Clock } from '../clock.ts';
import type { ExecutorHost, IterationStart } from '../executors/types.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import { iterationStorage, type IterationContext, type VuState } from '../runtime/context.ts';
import type { ScriptRuntime } from '../runtime/install.ts';
import { describeError } from '../run/script-module.ts';
import { HttpAgent } from '../transport/http/index.ts';
import type { ErrorLog } from './error-log.ts';

/** What the VU host needs to run iterations of one scenario. */
export interface VuHostDeps {
  clock: Clock;
  registry: MetricRegistry;
  runtime: ScriptRuntime;
  errors: ErrorLog;
  /** VUs of this worker by test-wide id; a VU keeps its connections and cookies between iterations. */
  vus: Map<number, VuState>;
  scenarioName: string;
  scenario: Scenario;
  /** Added to the executor's per-scenario VU ids so ids are unique in the whole test. */
  vuIdOffset: number;
  testTags: Readonly<Record<string, string>>;
  fn: (data: unknown) => unknown;
  setupData: unknown;
  userAgent: string;
  keepAlive: boolean;
  /** options.noCookiesReset: keep cookies between iterations. */
  keepCookies: boolean;
  /** The test's environment (process env plus --env); the scenario's env goes over it. */
  env: Readonly<Record<string, string>>;
  /** Called when the VU counts of this scenario change. */
  onVus(active: number, allocated: number): void;
}

/** Builds the executor host that runs script iterations on VUs and records the iteration metrics. */
export function createVuHost(deps: VuHostDeps): ExecutorHost {
  const { clock, registry, scenarioName, scenario } = deps;
  const tags: Readonly<Record<string, string>> = Object.freeze({
    ...deps.testTags,
    ...scenario.tags,
  });
  const sampleTags = { ...tags, scenario: scenarioName };
  const env: Readonly<Record<string, string>> = Object.freeze({ ...deps.env, ...scenario.env });
  const arrival =
    scenario.executor === 'constant-arrival-rate' || scenario.executor === 'ramping-arrival-rate';

  function vuFor(id: number): VuState {
    let vu = deps.vus.get(id);
    if (!vu) {
      const cookieJar = new CookieJar();
      const agent = new HttpAgent({
        keepAlive: deps.keepAlive,
        cookieJar,
        userAgent: deps.userAgent,
      });
      vu = { id, iterations: 0, agent, cookieJar };
      deps.vus.set(id, vu);
    }
    return vu;
  }

  return {
    clock,
    async runIteration(start: IterationStart): Promise<void> {
      const vu = vuFor(start.vuId + deps.vuIdOffset);
      const startedMs = clock.now();
      const lagMs =
        start.intendedStartMs === null ? 0 : Math.max(0, startedMs - start.intendedStartMs);
      const ctx: IterationContext = {
        vu,
        scenario: scenarioName,
        vuIteration: start.vuIteration,
        scenarioIteration: start.scenarioIteration,
        group: '',
        tags,
        startLagMs: lagMs,
        correctLag: arrival,
        signal: start.signal,
        env,
      };
      if (!deps.keepCookies) vu.cookieJar.removeAllCookiesSync();
      if (arrival) registry.add('send_lag', sampleTags, lagMs);
      try {
        await iterationStorage.run(ctx, () => deps.fn(deps.setupData));
      } catch (error) {
        if (!start.signal.aborted) deps.errors.add(`${scenarioName}: ${describeError(error)}`);
      } finally {
        // Counted after the iteration so `vu.iteration` is 0-based inside it, like __ITER.
        vu.iterations++;
      }
      if (start.signal.aborted) return;
      const endMs = clock.now();
      registry.add('iterations', sampleTags, 1);
      registry.add('iteration_duration', sampleTags, endMs - (start.intendedStartMs ?? startedMs));
    },
    onDropped(count: number): void {
      registry.add('dropped_iterations', sampleTags, count);
    },
    onVus(active: number, allocated: number): void {
      deps.onVus(active, allocated);
    },
  };
}
