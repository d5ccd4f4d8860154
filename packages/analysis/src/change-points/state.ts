// Incremental change-point detection with a persistable state: appending a point analyses the
// newest window only, adds newly seen change points, confirms or withdraws provisional ones, and
// never rewrites what was first reported.
import type { ChangePointSettings, ChangePointState, HistoryPoint } from '@stampede/protocol';

/** An empty state with the given settings (defaults for the rest). */
export function createChangePointState(
  settings: Partial<ChangePointSettings> = {},
): ChangePointState {
  void settings;
  throw new Error('not implemented yet');
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
  void state;
  void point;
  void nowMs;
  throw new Error('not implemented yet');
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
  void points;
  void settings;
  void nowMs;
  throw new Error('not implemented yet');
}
