import type { Clock } from '../clock.ts';
import type { MetricRegistry } from '../metrics/registry.ts';

/** One request the fast path sends as is: no user code runs per request. */
export interface FastRequestTemplate {
  method: string;
  /** Absolute http:// or https:// URL; every template of one loop must share its origin. */
  url: string;
  headers?: Record<string, string>;
  /** Request body (a string is sent as UTF-8). */
  body?: string | Uint8Array | null;
  /** The `name` tag of the request's samples; the URL when absent. */
  name?: string;
  /** When set, each response records a `checks` sample that passes if the status equals it. */
  expectStatus?: number;
}

/** Options shared by the closed and the arrival loop. */
export interface FastLoopOptions {
  /** Templates sent in order, one pass over them being one iteration. */
  templates: readonly FastRequestTemplate[];
  /** Per-request timeout in ms, from the request's send (or from its connect for a new connection). */
  timeoutMs: number;
  registry: MetricRegistry;
  /** Tags on every sample (test and scenario tags, `scenario`). */
  tags: Readonly<Record<string, string>>;
  /** Default User-Agent header ('' sends none). */
  userAgent?: string;
  /** Verify TLS certificates (default true). */
  rejectUnauthorized?: boolean;
  clock?: Clock;
  /** Aborting stops the loop at once; requests in flight are then not recorded. */
  signal?: AbortSignal;
}

/** What a loop did, in requests and iterations. */
export interface FastLoopCounts {
  /** Requests with a recorded outcome (response or error). */
  requests: number;
  /** Requests that failed with an error code (no response). */
  errors: number;
  /** Responses with status >= 400. */
  httpErrors: number;
  /** Completed passes over the templates. */
  iterations: number;
  /** Arrivals with no free connection (arrival loop only). */
  dropped: number;
  /** TCP connections opened (attempts, including failed ones). */
  connects: number;
  /** Requests in flight when the loop was aborted, not recorded. */
  interrupted: number;
}
