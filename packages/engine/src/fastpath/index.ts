export { ClosedLoop, runClosedLoop } from './closed-loop.ts';
export type { ClosedLoopConfig, ClosedLoopOptions } from './closed-loop.ts';
export { ArrivalLoop, constantRate, runArrivalLoop } from './arrival-loop.ts';
export type { ArrivalLoopConfig, ArrivalLoopOptions, ArrivalSchedule } from './arrival-loop.ts';
export { compileTemplates } from './template.ts';
export { resolveTemplates } from './shared.ts';
export type { LoopContext, ResolvedTemplates } from './shared.ts';
export type { FastLoopCounts, FastLoopOptions, FastRequestTemplate } from './types.ts';
