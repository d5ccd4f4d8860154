// The generator's health sent with each heartbeat: the process's CPU and memory, the supervisor's
// event-loop delay, and from the load workers' snapshots the bytes moved and whether any worker
// saturated in its last interval.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SATURATION_CPU_UTILIZATION, SATURATION_EVENT_LOOP_P99_MS } from '@stampede/engine';
import type { GeneratorHealth, IntervalSnapshot } from '@stampede/protocol';

/** Samples the generator's health between heartbeats. */
export class HealthSampler {
  readonly #delay = monitorEventLoopDelay({ resolution: 10 });
  #lastCpuUs: number;
  #lastWallMs: number;
  #netSent = 0;
  #netReceived = 0;
  #saturated = false;

  constructor() {
    this.#delay.enable();
    this.#lastCpuUs = cpuUs();
    this.#lastWallMs = performance.now();
  }

  /** Takes in a load worker's snapshot: bytes moved, and its health in that interval. */
  observe(snapshot: IntervalSnapshot): void {
    for (const s of snapshot.series) {
      if (s.type !== 'counter') continue;
      if (s.metric === 'data_sent') this.#netSent += s.value;
      else if (s.metric === 'data_received') this.#netReceived += s.value;
    }
    for (const h of snapshot.health) {
      if (
        h.cpuUtilization >= SATURATION_CPU_UTILIZATION ||
        h.eventLoopDelayP99Ms >= SATURATION_EVENT_LOOP_P99_MS
      ) {
        this.#saturated = true;
      }
    }
  }

  /** Starts counting bytes from zero (a new run). */
  resetRun(): void {
    this.#netSent = 0;
    this.#netReceived = 0;
  }

  /** Health since the previous reading; starts a new period. */
  read(): GeneratorHealth {
    const now = performance.now();
    const cpu = cpuUs();
    const wallUs = Math.max(1, (now - this.#lastWallMs) * 1000);
    const mem = process.memoryUsage();
    const health: GeneratorHealth = {
      cpuUtilization: Math.max(0, (cpu - this.#lastCpuUs) / wallUs),
      eventLoopDelayP99Ms: this.#delay.count > 0 ? this.#delay.percentile(99) / 1e6 : 0,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      netSentBytes: this.#netSent,
      netReceivedBytes: this.#netReceived,
      saturated: this.#saturated,
    };
    this.#delay.reset();
    this.#lastCpuUs = cpu;
    this.#lastWallMs = now;
    this.#saturated = false;
    return health;
  }

  /** Stops the event-loop delay monitor. */
  stop(): void {
    this.#delay.disable();
  }
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
