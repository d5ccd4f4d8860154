// The main thread's side of the archive worker: one worker thread (started on first use, not
// holding the process open while idle) does the hashing, parsing and target scanning of
// archives, and at most MAX_ARCHIVE_TASKS such requests are in flight; more get a 503.
import { Worker } from 'node:worker_threads';
import type { ApiErrorCode } from '@stampede/protocol';
import { ApiError } from './errors.ts';
import type { ArchiveTask, ArchiveTaskResult } from './archive-task.ts';
import type { TargetPolicy } from './targets.ts';

/** Most archive requests (uploads, run starts) processed or waiting at once; more are refused with 503 UNAVAILABLE. */
export const MAX_ARCHIVE_TASKS = 8;

const WORKER_URL = new URL('./archive-worker.ts', import.meta.url);

type Pending = { resolve(r: ArchiveTaskResult): void; reject(e: Error): void };

let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;

function failAll(w: Worker, err: Error): void {
  if (worker !== w) return;
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker = null;
}

function theWorker(): Worker {
  if (worker !== null) return worker;
  const w = new Worker(WORKER_URL, { name: 'stampede archive worker' });
  w.on('message', (r: ArchiveTaskResult) => {
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (pending.size === 0) w.unref();
    p?.resolve(r);
  });
  w.on('error', (err) => failAll(w, err));
  w.on('exit', (code) => failAll(w, new Error(`archive worker exited with code ${code}`)));
  worker = w;
  return w;
}

// The worker gets its own copy of the bytes (transferred, so copied once).
function copyOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

async function submit(task: ArchiveTask): Promise<ArchiveTaskResult> {
  if (pending.size >= MAX_ARCHIVE_TASKS) {
    throw new ApiError(
      'UNAVAILABLE',
      `the controller is busy with ${pending.size} archives; retry in a few seconds`,
      { inFlight: pending.size, limit: MAX_ARCHIVE_TASKS },
    );
  }
  const w = theWorker();
  const result = new Promise<ArchiveTaskResult>((resolve, reject) => {
    pending.set(task.id, { resolve, reject });
  });
  w.ref();
  w.postMessage(task, [task.bytes]);
  const r = await result;
  if (r.error !== null && r.error.code === 'INTERNAL') throw new Error(r.error.message);
  return r;
}

function rethrow(r: ArchiveTaskResult): void {
  if (r.error !== null) {
    throw new ApiError(r.error.code as ApiErrorCode, r.error.message, r.error.details);
  }
}

/** Hashes and parses an uploaded archive off the main thread; returns its SHA-256 and, separately, why it is not an archive (checked after the hash). */
export async function inspectUpload(
  bytes: Uint8Array,
): Promise<{ sha256: string; assertArchive(): void }> {
  const r = await submit({ id: nextId++, kind: 'upload', bytes: copyOf(bytes) });
  return { sha256: r.sha256, assertArchive: () => rethrow(r) };
}

/** Parses a stored archive and returns the targets of the run the policy refuses, off the main thread. */
export async function inspectRun(
  bytes: Uint8Array,
  what: string,
  env: Record<string, string>,
  policy: TargetPolicy,
): Promise<string[]> {
  const r = await submit({
    id: nextId++,
    kind: 'run',
    bytes: copyOf(bytes),
    what,
    env,
    policy: { allowTargets: [...policy.allowTargets], allowLoopback: policy.allowLoopback },
  });
  rethrow(r);
  return r.refused;
}

/** Stops the archive worker (tests, shutdown); the next request starts a new one. */
export async function stopArchiveWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w !== null) await w.terminate();
}
