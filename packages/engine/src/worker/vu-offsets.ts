import type { Scenario } from '@stampede/protocol';
import { rampingVusMax } from '../executors/index.ts';

/** Most VUs a scenario can use over the whole test (all segments together). */
export function globalMaxVus(s: Scenario): number {
  switch (s.executor) {
    case 'constant-vus':
    case 'per-vu-iterations':
    case 'shared-iterations':
      return s.vus;
    case 'ramping-vus':
      return rampingVusMax(s.startVUs, s.stages);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return Math.max(s.maxVUs ?? 0, s.preAllocatedVUs);
  }
}

/**
 * Offsets that make VU ids unique across scenarios: executors number VUs per scenario, so
 * scenario n's VU k becomes k + the VUs of the scenarios before it (the same on every segment).
 */
export function vuIdOffsets(scenarios: Record<string, Scenario>): Map<string, number> {
  const out = new Map<string, number>();
  let offset = 0;
  for (const [name, s] of Object.entries(scenarios)) {
    out.set(name, offset);
    offset += globalMaxVus(s);
  }
  return out;
}
