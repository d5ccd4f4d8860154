import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WorkerHealth } from '@stampede/protocol';

/** Measures a load worker's event-loop delay and thread CPU use, one reading per metric interval. */
export class HealthMonitor {
  readonly #worker: string;
  readonly #delay: ReturnType<typeof monitorEventLoopDelay>;
  #lastCpuUs: number;
  #lastWallMs: number;

  constructor(worker: string) {
    this.#worker = worker;
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
    this.#lastCpuUs = threadCpuUs();
    this.#lastWallMs = performance.now();
  }

  /** Returns the health since the previous reading and starts a new one. */
  read(): WorkerHealth {
    const cpuUs = threadCpuUs();
    const wallMs = performance.now();
    const elapsedUs = Math.max(1, (wallMs - this.#lastWallMs) * 1000);
    const health: WorkerHealth = {
      worker: this.#worker,
      eventLoopDelayP99Ms: this.#delay.count > 0 ? this.#delay.percentile(99) / 1e6 : 0,
      eventLoopDelayMaxMs: this.#delay.count > 0 ? this.#delay.max / 1e6 : 0,
      cpuUtilization: Math.max(0, (cpuUs - this.#lastCpuUs) / elapsedUs),
      heapUsedBytes: process.memoryUsage().heapUsed,
    };
    this.#delay.reset();
    this.#lastCpuUs = cpuUs;
    this.#lastWallMs = wallMs;
    return health;
  }

  stop(): void {
    this.#delay.disable();
  }
}

function threadCpuUs(): number {
  // threadCpuUsage (Node >= 23.9) measures only this thread; fall back to the process on Node 22.
  const proc = process as unknown as { threadCpuUsage?: () => NodeJS.CpuUsage };
  const usage = proc.threadCpuUsage ? proc.threadCpuUsage() : process.cpuUsage();
  return usage.user + usage.system;
}
