// The two tables of the text summary that read as tables: ERRORS (always printed, so a run whose
// requests all failed cannot look clean) and ENDPOINTS (one row per name / URL template).
import type { Summary } from '@stampede/protocol';
import { formatDuration, formatNumber, formatPercent } from './format.ts';

/** The colours a table may use (identity functions when colour is off). */
export interface TablePaint {
  bold(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
}

/**
 * Loud lines for thresholds whose metric got no data in a run that ran iterations: they pass (a
 * counter of rare errors legitimately stays empty), but a typo or a forgotten await looks the same.
 */
export function formatNoDataWarnings(
  summary: Summary,
  p: TablePaint & { warn(s: string): string },
): string[] {
  const iterations = Object.values(summary.scenarios).reduce((n, s) => n + s.iterations, 0);
  if (iterations === 0) return [];
  const out: string[] = [];
  for (const [key, list] of Object.entries(summary.thresholds)) {
    if (!list.some((t) => t.value === null)) continue;
    out.push(
      p.warn(
        `  ⚠ WARNING: threshold ${key} got no data in ${grouped(iterations)} iterations (it passes): check the metric name and tags, and that requests are awaited`,
      ),
    );
  }
  if (out.length > 0) out.push('');
  return out;
}

/** Rows of the errors table shown at most; the JSON has them all. */
export const ERROR_ROWS = 10;

/** The ERRORS section (lines without trailing newline); empty for a summary written before it existed. */
export function formatErrorsTable(summary: Summary, p: TablePaint): string[] {
  const e = summary.errors;
  if (e === undefined) return [];
  const out = [`  ${p.bold('ERRORS')}`, ''];
  if (e.failedRequests === 0) {
    out.push(`    ${p.dim('no failed requests')}`, '');
    return out;
  }
  const reqs = summary.metrics['http_reqs'];
  const requests = reqs?.type === 'counter' ? reqs.values.count : 0;
  const share = requests > 0 ? ` (${formatPercent(e.failedRequests / requests)} of requests)` : '';
  out.push(`    ${p.bad(`${grouped(e.failedRequests)} failed requests`)}${share}`);
  const rows: [string, number, string][] = [
    ...e.byErrorCode.map((r): [string, number, string] => [r.code, r.count, r.description]),
    ...e.byStatus.map((r): [string, number, string] => [`HTTP ${r.status}`, r.count, '']),
  ].sort((a, b) => b[1] - a[1]);
  const shown = rows.slice(0, ERROR_ROWS);
  const keyWidth = Math.max(...shown.map((r) => r[0].length));
  const countWidth = Math.max(...shown.map((r) => grouped(r[1]).length));
  for (const [key, count, text] of shown) {
    out.push(
      `    ${key.padEnd(keyWidth)}  ${grouped(count).padStart(countWidth)}  ${p.dim(text)}`.trimEnd(),
    );
  }
  if (rows.length > shown.length)
    out.push(`    … ${rows.length - shown.length} more in --summary-json`);
  out.push('');
  return out;
}

/** The ENDPOINTS section; empty when the summary has no per-endpoint rows. */
export function formatEndpointsTable(summary: Summary, p: TablePaint): string[] {
  const rows = summary.endpoints;
  if (rows === undefined || rows.length === 0) return [];
  const header = ['endpoint', 'reqs', 'fail', 'p50', 'p95', 'p99', 'rate'];
  const cells = rows.map((r) => [
    r.method === '*' ? r.name : `${r.method} ${r.name}`,
    grouped(r.requests),
    grouped(r.failures),
    formatDuration(r.p50Ms),
    formatDuration(r.p95Ms),
    formatDuration(r.p99Ms),
    `${formatNumber(r.ratePerSec)}/s`,
  ]);
  // Latency and rate columns get room for their usual values, so that runs of one test line up
  // (and compare as text) whatever their latencies.
  const minWidths = [0, 0, 0, 8, 8, 8, 9];
  const widths = header.map((h, i) =>
    Math.max(h.length, minWidths[i] ?? 0, ...cells.map((c) => (c[i] as string).length)),
  );
  const line = (c: string[]): string =>
    `    ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  ')}`;
  const out = [`  ${p.bold('ENDPOINTS')}`, '', p.dim(line(header))];
  rows.forEach((r, i) => {
    const text = line(cells[i] as string[]);
    out.push(r.failures > 0 ? p.bad(text) : text);
  });
  if (summary.endpointsOmitted !== undefined && summary.endpointsOmitted > 0) {
    out.push(
      `    … ${summary.endpointsOmitted} more endpoints not shown (name your requests to group them)`,
    );
  }
  out.push('');
  return out;
}

function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
