// Incremental change-point detection with a persistable state: appending a point analyses the
// newest window only, adds newly seen change points, confirms or withdraws provisional ones, and
// never rewrites what was first reported.
import type {
  ChangePointRecord,
  ChangePointSettings,
  ChangePointState,
  HistoryPoint,
} from '@stampede/protocol';
import { AnalysisError } from '../errors.ts';
import type { ChangePoint } from './detector.ts';
import {
  changePointSettings,
  detectChangePoints,
  eDivisive,
  mergeCandidates,
  withMeans,
} from './detector.ts';

/** An empty state with the given settings (defaults for the rest). */
export function createChangePointState(
  settings: Partial<ChangePointSettings> = {},
): ChangePointState {
  return { version: 1, settings: changePointSettings(settings), count: 0, tail: [], records: [] };
}

function newRecord(
  cp: ChangePoint,
  point: HistoryPoint,
  last: HistoryPoint,
  nowMs: number,
  status: ChangePointRecord['status'],
): ChangePointRecord {
  return {
    pointId: point.id,
    index: cp.index,
    pointAtMs: point.atMs,
    status,
    statusAtMs: nowMs,
    firstSeen: {
      atMs: nowMs,
      afterPointId: last.id,
      meanBefore: cp.meanBefore,
      meanAfter: cp.meanAfter,
      changePct: cp.meanBefore !== 0 ? (cp.meanAfter / cp.meanBefore - 1) * 100 : 0,
      pValue: cp.pValue,
    },
  };
}

/**
 * The state after appending `point` at `nowMs` (the caller's clock, Unix epoch ms); `state` is
 * not modified. Throws AnalysisError INVALID_INPUT on a non-finite value.
 */
export function appendPoint(
  state: ChangePointState,
  point: HistoryPoint,
  nowMs: number,
): ChangePointState {
  if (!Number.isFinite(point.value)) {
    throw new AnalysisError('INVALID_INPUT', `history point ${point.id} has a non-finite value`, {
      id: point.id,
    });
  }
  const s = state.settings;
  const tail = [...state.tail, point].slice(-s.windowSize);
  const count = state.count + 1;
  const offset = count - tail.length; // global index of tail[0]
  const values = tail.map((p) => p.value);
  // Detection over the newest window only (global indices, so seeds match a batch window there).
  const found: { index: number; pValue: number }[] = [];
  eDivisive(values, 0, values.length, s, found, offset);
  const detected = withMeans(values, mergeCandidates(found, s.minSegment), s.windowSize, offset);

  const records = state.records.map((r) => ({ ...r }));
  const matched = new Set<number>();
  for (const cp of detected) {
    const same = records.findIndex(
      (r) => r.status !== 'withdrawn' && Math.abs(r.index - cp.index) < s.minSegment,
    );
    if (same >= 0) {
      matched.add(same);
      continue;
    }
    const at = tail[cp.index - offset] as HistoryPoint;
    records.push(newRecord(cp, at, point, nowMs, 'provisional'));
    matched.add(records.length - 1);
  }
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as ChangePointRecord;
    if (r.status !== 'provisional') continue;
    if (!matched.has(i)) {
      records[i] = { ...r, status: 'withdrawn', statusAtMs: nowMs };
    } else if (count - 1 - r.index >= s.confirmAfter) {
      records[i] = { ...r, status: 'confirmed', statusAtMs: nowMs };
    }
  }
  records.sort((a, b) => a.index - b.index);
  return { version: 1, settings: s, count, tail, records };
}

/**
 * A state for a whole existing series at once (detection in hindsight, as detectChangePoints),
 * every change point first seen at `nowMs`: for initialising from stored history.
 */
export function changePointStateFrom(
  points: readonly HistoryPoint[],
  settings: Partial<ChangePointSettings>,
  nowMs: number,
): ChangePointState {
  const s = changePointSettings(settings);
  const found = detectChangePoints(
    points.map((p) => p.value),
    s,
  );
  const last = points[points.length - 1];
  const records =
    last === undefined
      ? []
      : found.map((cp) =>
          newRecord(
            cp,
            points[cp.index] as HistoryPoint,
            last,
            nowMs,
            points.length - 1 - cp.index >= s.confirmAfter ? 'confirmed' : 'provisional',
          ),
        );
  return {
    version: 1,
    settings: s,
    count: points.length,
    tail: points.slice(-s.windowSize),
    records,
  };
}
