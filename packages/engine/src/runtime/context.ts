import { AsyncLocalStorage } from 'node:async_hooks';
import type { IterationSignal } from '../executors/iteration-signal.ts';
import type { HttpAgent } from '../transport/http/index.ts';
import type { LazyCookieJar } from './lazy-cookie-jar.ts';

/** State of one virtual user inside a load worker: its connections and cookies live as long as it does. */
export interface VuState {
  /** Global VU number, 1-based, unique across workers and generators. */
  id: number;
  /** Iterations this VU has started, over all scenarios. */
  iterations: number;
  readonly agent: HttpAgent;
  /** The VU's cookies; cleared before each iteration unless options.noCookiesReset. */
  cookieJar: LazyCookieJar;
}

/** What the running code of one iteration can see: who runs it, where in the groups it is, and its lag. */
export interface IterationContext {
  vu: VuState;
  scenario: string;
  /** Iteration number of this VU within the scenario, 0-based. */
  vuIteration: number;
  /** Global iteration number within the scenario, 0-based. */
  scenarioIteration: number;
  /** Group path, "" at top level, "::a::b" inside nested groups (k6 convention). */
  group: string;
  /** Scenario tags and test tags merged; added to every sample. */
  tags: Readonly<Record<string, string>>;
  /** How late the iteration started versus its intended start (arrival-rate executors), ms; 0 otherwise. */
  startLagMs: number;
  /** True when http_req_duration must include `startLagMs` (coordinated-omission correction). */
  correctLag: boolean;
  signal: IterationSignal;
  /** Environment for this iteration: the test's, overlaid with the scenario's `env`. */
  env: Readonly<Record<string, string>>;
  /** The host's clock time (ms) when the iteration started. */
  startedMs: number;
  /** The host's clock time (ms) the iteration was due (arrival-rate executors), else null. */
  intendedStartMs: number | null;
  /** The host's bookkeeping: tells the executor the iteration is over (see IterationStart.handOff). */
  settle: (() => void) | undefined;
  /** Script API Promises of this iteration, checked for a missing await at its end (missing-await.ts). */
  trackedPromises?: Promise<unknown>[];
  /** Set when the iteration failed with a missing await, so that its end yields to the event loop. */
  missedAwait?: boolean;
}

/** Carries the iteration context through the async calls of a script. */
export const iterationStorage = new AsyncLocalStorage<IterationContext>();

/** The context of the running iteration, or undefined in init code, setup() and teardown(). */
export function currentIteration(): IterationContext | undefined {
  return iterationStorage.getStore();
}
