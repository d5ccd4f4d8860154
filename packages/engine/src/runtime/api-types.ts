// Types of the script API as test scripts see it; `types/stampede.d.ts` declares the modules
// 'stampede', 'stampede/http', 'stampede/metrics' and 'stampede/data' with them.
import type { createCheck } from './check.ts';
import type { createMetricClasses } from './custom-metrics.ts';
import type { createDataApi } from './data.ts';
import type { createGroup } from './flow.ts';
import type { createHttpApi } from './http-api.ts';

/** The `http` object of 'stampede'. */
export type Http = ReturnType<typeof createHttpApi>;
/** `check(value, checks, tags?)`. */
export type Check = ReturnType<typeof createCheck>;
/** `group(name, fn)`. */
export type Group = ReturnType<typeof createGroup>;
/** The custom metric classes of 'stampede/metrics'. */
export type MetricClasses = ReturnType<typeof createMetricClasses>;
/** The helpers of 'stampede/data'. */
export type DataApi = ReturnType<typeof createDataApi>;
/** `vu`: the running VU. */
export interface VuInfo {
  readonly id: number;
  readonly iteration: number;
  readonly iterationInScenario: number;
}
/** `scenario`: the running scenario. */
export interface ScenarioInfo {
  readonly name: string;
  readonly iteration: number;
}
export type { ScriptResponse } from './script-response.ts';
export type { RequestParams, BatchRequest } from './http-api.ts';
export type { CheckSet } from './check.ts';
