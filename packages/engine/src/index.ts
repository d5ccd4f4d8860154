export * from './clock.ts';
export * from './errors.ts';
export { bundleTest, bundleSource, type TestBundle } from './bundle/bundle.ts';
export { parseDeclarative, declarativeToScript } from './bundle/declarative.ts';
export { resolvePlan, type OptionOverrides, type Plan } from './options/plan.ts';
export {
  prepareTest,
  type PreparedTest,
  type TestSource,
  type PrepareInput,
} from './run/prepare.ts';
export {
  startRun,
  type RunSettings,
  type RunHandle,
  type RunOutcome,
  type LiveStatus,
} from './run/run-test.ts';
export { formatSummaryText as renderSummaryText } from './summary/text.ts';
export { ExecutionSegment, SegmentSequence } from './segment/index.ts';
