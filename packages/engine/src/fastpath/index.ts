export { runClosedLoop } from './closed-loop.ts';
export type { ClosedLoopOptions } from './closed-loop.ts';
export { constantRate, runArrivalLoop } from './arrival-loop.ts';
export type { ArrivalLoopOptions, ArrivalSchedule } from './arrival-loop.ts';
export { compileTemplates } from './template.ts';
export type { FastLoopCounts, FastLoopOptions, FastRequestTemplate } from './types.ts';
