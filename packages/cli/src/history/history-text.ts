// The text form of `stampede history`: one line per run with its value, the run that starts a
// new segment marked with the change (▲ up, ▼ down) and its status.
import type { HistoryChangePoint, HistoryView } from '@stampede/protocol';
import { formatTable, formatTime } from '../remote/common-flags.ts';

/** `▲ +24.8% change point (confirmed)`. */
export function changePointMark(cp: HistoryChangePoint): string {
  const arrow = cp.direction === 'increase' ? '▲' : '▼';
  const sign = cp.changePct >= 0 ? '+' : '';
  return `${arrow} ${sign}${cp.changePct.toFixed(1)}% change point (${cp.status}${cp.worse ? ', worse' : ', better'})`;
}

function value(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/**
 * The series as text: a header line, one row per point with the change points in force marked on
 * the run that starts them; older ones and withdrawn ones (no longer detected) listed after.
 */
export function renderHistory(view: HistoryView): string {
  const active = view.changePoints.filter((cp) => cp.status !== 'withdrawn');
  const withdrawn = view.changePoints.filter((cp) => cp.status === 'withdrawn');
  const byRun = new Map(active.map((cp) => [cp.runId, cp]));
  const worse = view.direction === 'higher-is-worse' ? 'higher is worse' : 'lower is worse';
  const head = `${view.testName} on ${view.branch}: ${view.metric} ${view.statistic}, ${view.points.length} of ${view.totalPoints} runs (${worse})\n`;
  const shown = new Set(view.points.map((p) => p.runId));
  const table =
    view.points.length === 0
      ? 'no points\n'
      : formatTable(
          ['TIME', 'RUN', 'COMMIT', 'VALUE', ''],
          view.points.map((p) => {
            const cp = byRun.get(p.runId);
            return [
              formatTime(p.atMs),
              p.runId,
              p.commit ?? '-',
              value(p.value),
              cp ? changePointMark(cp) : '',
            ];
          }),
        );
  const line = (cp: HistoryChangePoint) =>
    `  at run ${cp.runId} (${formatTime(cp.atMs)}): ${changePointMark(cp)}\n`;
  const earlier = active.filter((cp) => !shown.has(cp.runId)).map(line);
  const s = view.settings;
  return [
    head,
    table,
    earlier.length > 0 ? `earlier change points:\n${earlier.join('')}` : '',
    withdrawn.length > 0
      ? `withdrawn (reported, then no longer detected):\n${withdrawn.map(line).join('')}`
      : '',
    `${active.length} change point(s): E-divisive means, p ≤ ${s.pValue}, window ${s.windowSize}, confirmed ${s.confirmAfter} runs after\n`,
  ].join('');
}
