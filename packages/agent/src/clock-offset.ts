// Clock offset between the agent and the controller, NTP style: a heartbeat sent at agent time t0,
// answered with the controller's time s, received after a round trip of r ms, says the controller
// was at s when the agent was at t0 + r/2. The sample with the smallest round trip among the recent
// ones is the least disturbed by queueing, so it is the estimate.

/** One heartbeat round trip. */
export interface OffsetSample {
  /** Agent wall clock when the heartbeat was sent, Unix epoch ms. */
  sentEpochMs: number;
  /** Round trip measured on the agent's monotonic clock, ms. */
  rttMs: number;
  /** Controller wall clock in the answer, Unix epoch ms. */
  serverTimeMs: number;
}

/** Number of recent samples the estimate is chosen from (about a minute of heartbeats). */
export const OFFSET_WINDOW = 30;

/** Estimates controller clock minus agent clock from heartbeat round trips. */
export class ClockOffsetEstimator {
  readonly #window: number;
  readonly #samples: { offsetMs: number; rttMs: number }[] = [];

  constructor(window = OFFSET_WINDOW) {
    this.#window = Math.max(1, window);
  }

  /** Adds one round trip; negative or non-finite round trips are ignored. */
  add(sample: OffsetSample): void {
    if (!Number.isFinite(sample.rttMs) || sample.rttMs < 0) return;
    const offsetMs = sample.serverTimeMs - (sample.sentEpochMs + sample.rttMs / 2);
    this.#samples.push({ offsetMs, rttMs: sample.rttMs });
    if (this.#samples.length > this.#window) this.#samples.shift();
  }

  #best(): { offsetMs: number; rttMs: number } | undefined {
    let best: { offsetMs: number; rttMs: number } | undefined;
    for (const s of this.#samples) if (!best || s.rttMs < best.rttMs) best = s;
    return best;
  }

  /** Controller clock minus agent clock, ms (positive: the controller is ahead), or null without samples. */
  get offsetMs(): number | null {
    return this.#best()?.offsetMs ?? null;
  }

  /** Round trip of the chosen sample, ms (half of it bounds the estimate's error), or null. */
  get rttMs(): number | null {
    return this.#best()?.rttMs ?? null;
  }

  /** Converts a controller instant (Unix epoch ms) to the agent's clock; unchanged without samples. */
  toAgentEpochMs(controllerEpochMs: number): number {
    return controllerEpochMs - (this.offsetMs ?? 0);
  }
}
