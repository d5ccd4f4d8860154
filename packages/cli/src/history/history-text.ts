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

/** The series as text: a header line, one row per point, change points outside the rows listed after. */
export function renderHistory(view: HistoryView): string {
  const byRun = new Map(view.changePoints.map((cp) => [cp.runId, cp]));
  const worse = view.direction === 'higher-is-worse' ? 'higher is worse' : 'lower is worse';
  const head = `${view.testName} on ${view.branch}: ${view.metric} ${view.statistic}, ${view.points.length} of ${view.totalPoints} runs (${worse})\n`;
  if (view.points.length === 0) return `${head}no points\n`;
  const shown = new Set(view.points.map((p) => p.runId));
  const table = formatTable(
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
  const earlier = view.changePoints
    .filter((cp) => !shown.has(cp.runId))
    .map((cp) => `  at run ${cp.runId} (${formatTime(cp.atMs)}): ${changePointMark(cp)}\n`);
  const s = view.settings;
  const foot = `${view.changePoints.length} change point(s): E-divisive means, p ≤ ${s.pValue}, window ${s.windowSize}, confirmed ${s.confirmAfter} runs after\n`;
  return `${head}${table}${earlier.length > 0 ? `earlier change points:\n${earlier.join('')}` : ''}${foot}`;
}
