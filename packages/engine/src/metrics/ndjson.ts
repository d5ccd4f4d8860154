// Snapshots are stored and shipped as NDJSON, one interval per line; re-analysing a run means
// feeding those lines back into a MetricTotals.
import { intervalSnapshotSchema } from '@stampede/protocol';
import type { IntervalSnapshot } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import type { MetricTotals } from './totals.ts';

/** One snapshot as an NDJSON line (with the trailing newline). */
export function encodeSnapshotLine(snapshot: IntervalSnapshot): string {
  return `${JSON.stringify(snapshot)}\n`;
}

/** Parses and validates one NDJSON snapshot line; throws EngineError (INVALID_INPUT) naming `where`. */
export function decodeSnapshotLine(line: string, where = 'snapshot line'): IntervalSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new EngineError('INVALID_INPUT', `${where}: not JSON (${(err as Error).message})`, {
      where,
    });
  }
  const parsed = intervalSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw new EngineError(
      'INVALID_INPUT',
      `${where}: not an interval snapshot (${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid'})`,
      { where, path },
    );
  }
  return parsed.data;
}

/** Decodes one NDJSON snapshot line into `totals` (blank lines are skipped); returns whether it was new. */
export function addSnapshotLine(totals: MetricTotals, line: string, where?: string): boolean {
  if (line.trim() === '') return false;
  return totals.add(decodeSnapshotLine(line, where));
}
