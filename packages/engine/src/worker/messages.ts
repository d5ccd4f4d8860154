import type { IntervalSnapshot } from '@stampede/protocol';
import type { ExecutorProgress } from '../executors/types.ts';
import type { FastRequestTemplate } from '../fastpath/types.ts';
import type { Plan } from '../options/plan.ts';

/** One level of segmenting: the partition (cut points such as "0,1/2,1") and the share taken ("0:1/2"). */
export interface SegmentLevel {
  sequence: string;
  segment: string;
}

/** First message to a load worker: what to run and which share of it. */
export interface WorkerInit {
  type: 'init';
  workerId: string;
  bundlePath: string;
  /** The script's path as its author knows it, for init error messages. */
  entryPath: string;
  baseDir: string;
  plan: Plan;
  /** Segment levels from the outermost (generator) to this worker. */
  segments: SegmentLevel[];
  env: Record<string, string>;
  /** JSON text of setup()'s result, or null when there is no setup(). */
  setupDataJson: string | null;
  /** Length of a metric interval, ms. */
  intervalMs: number;
  /** Allow-list of target hosts ("host" or "host:port"); empty = any. */
  allowTargets: string[];
  /** Present when the test runs on the fast path: its request templates instead of the bundle's code. */
  fastPath?: FastPathInit;
  /** Shared memory of a LeaseGate (agent runs): the worker sends nothing once its deadline passed. */
  leaseGate?: SharedArrayBuffer;
}

/** The fast path's share of a worker's init: request templates and requests in flight per connection. */
export interface FastPathInit {
  templates: FastRequestTemplate[];
  pipelining: number;
}

/** Messages the main thread sends to a load worker. */
export type ToWorker = WorkerInit | WorkerStart | { type: 'stop'; graceful: boolean };

/** Starts the load at an instant; `setupDataJson`, when present, replaces the init's (setup ran elsewhere). */
export interface WorkerStart {
  type: 'start';
  startAtEpochMs: number;
  setupDataJson?: string | null;
}

/** Messages a load worker sends to the main thread. */
export type FromWorker =
  | { type: 'ready'; maxVus: number }
  | { type: 'init-error'; code: string; message: string; details: Record<string, unknown> }
  | { type: 'snapshot'; snapshot: IntervalSnapshot; progress: ExecutorProgress[] }
  | {
      type: 'log';
      level: 'error' | 'warn' | 'info';
      message: string;
      repeated: number;
      /** Lines with the same key are logged once per run, whichever worker sends them first. */
      onceKey?: string;
    }
  | { type: 'done' };
