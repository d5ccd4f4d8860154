// The archive worker thread: hashes and parses uploaded archives and scans a run's targets, the
// CPU-heavy parts of POST /archives and POST /runs, so the main thread keeps answering agents.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { parseArchive } from './archive-parse.ts';
import { ApiError } from './errors.ts';
import type { ArchiveTask, ArchiveTaskResult, TaskError } from './archive-task.ts';
import { disallowedTargets } from './targets.ts';
import { runTargets } from './run-checks.ts';

function taskError(err: unknown): TaskError {
  if (err instanceof ApiError)
    return { code: err.code, message: err.message, details: err.details };
  return {
    code: 'INTERNAL',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    details: {},
  };
}

function perform(task: ArchiveTask): ArchiveTaskResult {
  const bytes = new Uint8Array(task.bytes);
  if (task.kind === 'upload') {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      parseArchive(bytes);
      return { id: task.id, sha256, error: null, refused: [] };
    } catch (err) {
      return { id: task.id, sha256, error: taskError(err), refused: [] };
    }
  }
  try {
    const archive = parseArchive(bytes, task.what);
    const refused = disallowedTargets(runTargets(archive, task.env), task.policy);
    return { id: task.id, sha256: '', error: null, refused };
  } catch (err) {
    return { id: task.id, sha256: '', error: taskError(err), refused: [] };
  }
}

parentPort?.on('message', (task: ArchiveTask) => {
  parentPort?.postMessage(perform(task));
});
