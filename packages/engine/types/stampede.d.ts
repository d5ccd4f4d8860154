// Type declarations for test scripts: add this file to a script's tsconfig "types"/"include",
// or reference it with /// <reference path="…/stampede.d.ts" />, to get editor help.
declare module 'stampede' {
  import type {
    Check,
    DataApi,
    Group,
    Http,
    ScenarioInfo,
    VuInfo,
  } from '@stampede/engine/api-types';
  export const http: Http;
  export const check: Check;
  export const group: Group;
  export function sleep(seconds: number): Promise<void>;
  export function fail(message?: string): never;
  export const vu: VuInfo;
  export const scenario: ScenarioInfo;
  export const env: Readonly<Record<string, string>>;
  export const open: DataApi['open'];
  export const SharedArray: new <T>(name: string, fn: () => T[]) => readonly T[];
}
declare module 'stampede/http' {
  import type { Http } from '@stampede/engine/api-types';
  export const http: Http;
}
declare module 'stampede/metrics' {
  import type { MetricClasses } from '@stampede/engine/api-types';
  export const Counter: MetricClasses['Counter'];
  export const Gauge: MetricClasses['Gauge'];
  export const Rate: MetricClasses['Rate'];
  export const Trend: MetricClasses['Trend'];
}
declare module 'stampede/data' {
  import type { DataApi } from '@stampede/engine/api-types';
  export const open: DataApi['open'];
  export const SharedArray: new <T>(name: string, fn: () => T[]) => readonly T[];
  export const parseCsv: DataApi['parseCsv'];
}
/** Environment variables (process env plus --env), as in k6. */
declare const __ENV: Readonly<Record<string, string | undefined>>;
/** Global id of the running VU (0 outside iterations). */
declare const __VU: number;
/** Iteration number of the running VU in its scenario. */
declare const __ITER: number;
