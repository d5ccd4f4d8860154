// Messages between the main thread and the archive worker thread.
import type { TargetPolicy } from './targets.ts';

/** Work for the archive worker: an upload to hash and parse, or a run's archive to parse and check against the allow-list. */
export type ArchiveTask =
  | { id: number; kind: 'upload'; bytes: ArrayBuffer }
  | {
      id: number;
      kind: 'run';
      bytes: ArrayBuffer;
      what: string;
      env: Record<string, string>;
      policy: TargetPolicy;
    };

/** An ApiError as it crosses the thread boundary. */
export interface TaskError {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The worker's answer: the upload's SHA-256 (hex), the refused targets, or the error that refused it. */
export interface ArchiveTaskResult {
  id: number;
  sha256: string;
  error: TaskError | null;
  refused: string[];
}
