/** Wall-clock time source of the store, injected so leases and deadlines are tested without sleeping. */
export interface StoreClock {
  /** Unix epoch milliseconds. */
  nowMs(): number;
}

/** The real clock: `Date.now()`. */
export const systemStoreClock: StoreClock = { nowMs: () => Date.now() };
