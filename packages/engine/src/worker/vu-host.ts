import type { Scenario } from '@stampede/protocol';
import type { Clock } from '../clock.ts';
import type { ExecutorHost, IterationStart } from '../executors/types.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import { iterationStorage, type IterationContext, type VuState } from '../runtime/context.ts';
import { LazyCookieJar } from '../runtime/lazy-cookie-jar.ts';
import { MissingAwaitError, recordMissingAwait, unawaitedCall } from '../runtime/missing-await.ts';
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

/** A VU of this worker; its HTTP agent is made on first use, as many VUs never send a request. */
class HostedVu implements VuState {
  readonly id: number;
  iterations = 0;
  readonly cookieJar = new LazyCookieJar();
  /**
   * The context of the VU's iterations, reused from one iteration to the next while its signal
   * is not aborted: the executor then continues the VU inside this context (IterationStart
   * handOff), so an iteration enters no new async context. `host` tells which host made it.
   */
  ctx: IterationContext | undefined = undefined;
  host: object | undefined = undefined;
  readonly #keepAlive: boolean;
  readonly #userAgent: string;
  #agent: HttpAgent | undefined;

  constructor(id: number, keepAlive: boolean, userAgent: string) {
    this.id = id;
    this.#keepAlive = keepAlive;
    this.#userAgent = userAgent;
  }

  get agent(): HttpAgent {
    this.#agent ??= new HttpAgent({
      keepAlive: this.#keepAlive,
      cookieJar: this.cookieJar,
      userAgent: this.#userAgent,
    });
    return this.#agent;
  }
}

/** Builds the executor host that runs script iterations on VUs and records the iteration metrics. */
export function createVuHost(deps: VuHostDeps): ExecutorHost {
  const { clock, registry, scenarioName, scenario } = deps;
  const tags: Readonly<Record<string, string>> = Object.freeze({
    ...deps.testTags,
    ...scenario.tags,
  });
  const sampleTags = { ...tags, scenario: scenarioName };
  // Resolved once: every iteration records on the same series.
  const sendLag = registry.series('send_lag', sampleTags);
  const iterations = registry.series('iterations', sampleTags);
  const iterationDuration = registry.series('iteration_duration', sampleTags);
  const dropped = registry.series('dropped_iterations', sampleTags);
  const env: Readonly<Record<string, string>> = Object.freeze({ ...deps.env, ...scenario.env });
  const arrival =
    scenario.executor === 'constant-arrival-rate' || scenario.executor === 'ramping-arrival-rate';

  // The iteration's script call and its completion callbacks run inside its async context, so
  // they find the iteration with getStore() rather than each iteration allocating closures for
  // them: a sleeping VU stays small.
  function runScript(): Promise<void> {
    let pending: Promise<void>;
    try {
      pending = Promise.resolve(deps.fn(deps.setupData)).then(finish, failed);
    } catch (error) {
      failed(error);
      pending = Promise.resolve();
    }
    return pending;
  }

  function finish(): void {
    const ctx = iterationStorage.getStore() as IterationContext;
    const unawaited = unawaitedCall(ctx);
    if (unawaited !== null && !ctx.signal.aborted) missingAwait(unawaited);
    const missed = unawaited !== null || ctx.missedAwait === true;
    ctx.missedAwait = false;
    // Counted after the iteration so `vu.iteration` is 0-based inside it, like __ITER.
    ctx.vu.iterations++;
    if (!ctx.signal.aborted) {
      iterations.add(1);
      iterationDuration.add(clock.now() - (ctx.intendedStartMs ?? ctx.startedMs));
    }
    // Last: the executor may start the VU's next iteration (and reuse ctx) right away.
    const settle = ctx.settle;
    ctx.settle = undefined;
    // An iteration that awaits nothing would start the next one from a microtask, starving the
    // timers that report the failure and stop the run: after a missing await, yield first.
    if (missed && settle !== undefined) setImmediate(settle);
    else settle?.();
  }

  function failed(error: unknown): void {
    const ctx = iterationStorage.getStore() as IterationContext;
    if (error instanceof MissingAwaitError) {
      missingAwait(error);
      ctx.missedAwait = true;
    } else if (!ctx.signal.aborted) deps.errors.add(`${scenarioName}: ${describeError(error)}`);
    finish();
  }

  function missingAwait(error: MissingAwaitError): void {
    deps.errors.add(`${scenarioName}: ${describeError(error)}`);
    recordMissingAwait(registry);
  }

  function vuFor(id: number): VuState {
    let vu = deps.vus.get(id);
    if (!vu) {
      vu = new HostedVu(id, deps.keepAlive, deps.userAgent);
      deps.vus.set(id, vu);
    }
    return vu;
  }

  const self = {};

  function contextFor(vu: VuState, start: IterationStart, startedMs: number): IterationContext {
    const lagMs =
      start.intendedStartMs === null ? 0 : Math.max(0, startedMs - start.intendedStartMs);
    const hosted = vu instanceof HostedVu ? vu : undefined;
    const ctx = hosted?.ctx;
    if (ctx !== undefined && hosted?.host === self && ctx.signal === start.signal) {
      ctx.vuIteration = start.vuIteration;
      ctx.scenarioIteration = start.scenarioIteration;
      ctx.startLagMs = lagMs;
      ctx.startedMs = startedMs;
      ctx.intendedStartMs = start.intendedStartMs;
      ctx.settle = start.handOff?.();
      return ctx;
    }
    const fresh: IterationContext = {
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
      startedMs,
      intendedStartMs: start.intendedStartMs,
      settle: start.handOff?.(),
    };
    if (hosted !== undefined) {
      hosted.ctx = fresh;
      hosted.host = self;
    }
    return fresh;
  }

  return {
    clock,
    runIteration(start: IterationStart): Promise<void> {
      const vu = vuFor(start.vuId + deps.vuIdOffset);
      const ctx = contextFor(vu, start, clock.now());
      if (!deps.keepCookies) vu.cookieJar.clear();
      if (arrival) sendLag.add(ctx.startLagMs);
      return iterationStorage.run(ctx, runScript);
    },
    onDropped(count: number): void {
      dropped.add(count);
    },
    onVus(active: number, allocated: number): void {
      deps.onVus(active, allocated);
    },
  };
}
