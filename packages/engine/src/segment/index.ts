export { Fraction, gcd, lcm, ONE, ZERO } from './fraction.ts';
export { ExecutionSegment } from './execution-segment.ts';
export { MAX_STRIPING_PERIOD, SegmentSequence } from './segment-sequence.ts';
export { SegmentStripe, stripingTable } from './striping.ts';
export {
  SegmentPlan,
  segmentPlanFromLevels,
  type SegmentLevel,
  type SegmentLevelText,
} from './segment-plan.ts';
