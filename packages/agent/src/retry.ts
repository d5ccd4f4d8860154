// Retry timing: capped exponential backoff with full jitter, so agents that lost the controller
// together do not come back in lockstep.

/** Backoff settings, ms. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The default policy of agent requests: 250 ms doubling up to 10 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/** Delay before retry number `attempt` (0 = first retry): uniform in [cap/2, cap], cap = min(max, base·2^attempt). */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return cap / 2 + random() * (cap / 2);
}
