import type { Stage } from '@stampede/protocol';

// Guards floor() against a product like 3 * (t - s) / d landing a hair below an exact integer.
const EPSILON = 1e-9;

/** Total length of a list of stages, in ms. */
export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.duration, 0);
}

/** Highest VU target of a ramping-vus scenario (startVUs or any stage target), in VUs. */
export function rampingVusMax(startVUs: number, stages: readonly Stage[]): number {
  return stages.reduce((max, s) => Math.max(max, s.target), startVUs);
}

/**
 * Global VU target of ramping-vus at offset `tMs` from the scenario start (k6 semantics): within a
 * stage the count moves from the previous target towards the stage target by whole VUs, one more
 * (or one fewer) each time the straight line crosses an integer — floor of the line while ramping
 * up, ceiling while ramping down, so a VU is removed only once the line reaches the count below it.
 * A zero-length stage jumps at its start; after the last stage the last target holds.
 */
export function rampingVusTarget(startVUs: number, stages: readonly Stage[], tMs: number): number {
  let from = startVUs;
  let start = 0;
  for (const stage of stages) {
    const end = start + stage.duration;
    if (tMs < end) {
      if (tMs < start) return from;
      const span = Math.abs(stage.target - from);
      const moved = Math.min(span, Math.floor((span * (tMs - start)) / stage.duration + EPSILON));
      return stage.target >= from ? from + moved : from - moved;
    }
    from = stage.target;
    start = end;
  }
  return from;
}

/** One change of the global VU target: at offset `atMs` the target becomes `target` VUs. */
export interface VuStep {
  atMs: number;
  target: number;
}

/**
 * Every change of the ramping-vus target in time order, starting with {0, startVUs}: one step per
 * whole VU added or removed, at the instant rampingVusTarget changes. Lazy, O(1) memory.
 */
export function* rampingVusSteps(startVUs: number, stages: readonly Stage[]): Generator<VuStep> {
  yield { atMs: 0, target: startVUs };
  let from = startVUs;
  let start = 0;
  for (const stage of stages) {
    const span = Math.abs(stage.target - from);
    const dir = stage.target >= from ? 1 : -1;
    if (stage.duration === 0) {
      if (span > 0) yield { atMs: start, target: stage.target };
    } else {
      for (let u = 1; u <= span; u++) {
        yield { atMs: start + (stage.duration * u) / span, target: from + dir * u };
      }
    }
    from = stage.target;
    start += stage.duration;
  }
}
