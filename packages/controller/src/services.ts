// The seam between the REST API (routes under src/api) and the controller's moving parts
// (scheduler, pools, agent hub under src/scheduler, src/pool, src/agents). Routes call these;
// they never drive a run or a generator themselves.
import type { RunLive } from '@stampede/protocol';
import type { Store } from '@stampede/store';
import type { CertificateAuthority } from './ca/index.ts';

/** Wall-clock time source (Unix epoch ms) and timers, injected so life cycles are tested without waiting. */
export interface ControllerClock {
  nowMs(): number;
}

/** Installation-wide settings fixed at start. */
export interface ControllerConfig {
  /** Hosts ("host" or "host:port") runs may target; loopback is added unless `allowLoopback` is false. */
  allowTargets: string[];
  allowLoopback: boolean;
  /** Caps every run must respect. */
  maxDurationMs: number;
  maxRatePerSec: number;
  maxGenerators: number;
  /** Largest accepted test archive, bytes. */
  maxArchiveBytes: number;
  /** The agent lease: load stops this long after the last successful heartbeat, ms. */
  leaseMs: number;
  /** Name of the default generator pool. */
  defaultPool: string;
}

/** What the REST API asks of the scheduler. */
export interface RunControl {
  /** Wakes the scheduler after a run was queued (it also polls the store). */
  wake(): void;
  /** Aborts a run now: tells its generators to stop and marks it aborted with the reason. */
  abortRun(runId: string, reason: string, actor: string): Promise<void>;
  /** Live merged figures of an active or recently ended run, or null when the controller holds none. */
  live(runId: string): RunLive | null;
}

/** What the REST API asks of the generator pools. */
export interface PoolControl {
  /** Break glass: stops the generator's load and retires it, whatever it is doing. */
  terminateGenerator(generatorId: string, reason: string, actor: string): Promise<void>;
}

/** Everything the routes need, built once by the server. */
export interface ControllerServices {
  store: Store;
  clock: ControllerClock;
  ca: CertificateAuthority;
  config: ControllerConfig;
  runs: RunControl;
  pools: PoolControl;
}
