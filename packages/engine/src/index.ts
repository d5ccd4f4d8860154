export * from './clock.ts';
export * from './errors.ts';
export { bundleTest, bundleSource, type TestBundle } from './bundle/bundle.ts';
export {
  parseDeclarative,
  declarativeToScript,
  declarativeToTemplates,
} from './bundle/declarative.ts';
export {
  chooseExecutionPath,
  describeExecutionPath,
  type ExecutionPath,
} from './fastpath/eligibility.ts';
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
  type ScenarioResult,
} from './run/run-test.ts';
// Agent runs: prepare then start at an instant, the lease gate, test archives, the plan report.
export { prepareRun, sourceName, type PreparedRun } from './run/prepared-run.ts';
export { planReport, planMaxDurationMs, type PlanReport } from './run/plan-report.ts';
export { LeaseGate, monotonicMs } from './worker/lease-gate.ts';
export {
  buildTestArchive,
  encodeTestArchive,
  decodeTestArchive,
  unpackTestArchive,
  DECLARATIVE_ENTRY,
  type BuiltArchive,
  type ArchiveOptions,
} from './bundle/archive.ts';
export { SATURATION_CPU_UTILIZATION, SATURATION_EVENT_LOOP_P99_MS } from './metrics/health.ts';
export { formatSummaryText as renderSummaryText } from './summary/text.ts';
export { ExecutionSegment, SegmentSequence } from './segment/index.ts';
