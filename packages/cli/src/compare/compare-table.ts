// The text table of `stampede compare`: one line per (metric series, statistic), medians with
// their confidence intervals, the change with its interval, the verdict and what the comparison
// could have seen (MDE), followed by a one-line count of verdicts.
import type { ComparisonResult, ComparisonRow, StatisticUnit } from '@stampede/protocol';

/** Formats `value` in `unit` for people: ms with sensible precision, ratios as percent, rates per second. */
export function formatValue(value: number, unit: StatisticUnit): string {
  switch (unit) {
    case 'ms':
      return `${trimmed(value, value >= 100 ? 0 : value >= 10 ? 1 : 2)}ms`;
    case 'ratio':
      return `${trimmed(value * 100, 2)}%`;
    case 'per-second':
      return `${trimmed(value, value >= 100 ? 0 : 1)}/s`;
    case 'bytes-per-second':
      return `${trimmed(value / 1024, 1)}KiB/s`;
    case 'value':
      return trimmed(value, 3);
  }
}

// toFixed and trimmed zeros, not toLocaleString: building ICU formatters was a tenth of
// `stampede compare`'s run time on 2 × 20 summaries (bench/compare-cli.ts). Values here stay far
// below 1e21, where toFixed would switch to exponent notation.
function trimmed(value: number, digits: number): string {
  const fixed = value.toFixed(digits);
  const short = fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  return short === '-0' ? '0' : short;
}

function side(row: ComparisonRow, which: 'baseline' | 'candidate'): string {
  const s = row[which];
  if (s.median === null) return '-';
  const ci =
    s.ci === null ? '' : ` [${formatValue(s.ci[0], row.unit)}, ${formatValue(s.ci[1], row.unit)}]`;
  return `${formatValue(s.median, row.unit)}${ci}`;
}

/** A change in the row's scale: percent for log-scale rows, statistic units (percentage points for ratios) otherwise. */
export function formatChange(row: ComparisonRow, value: number | null): string {
  if (value === null) return '∞';
  const sign = value > 0 ? '+' : '';
  if (row.change?.scale === 'absolute') {
    return row.unit === 'ratio'
      ? `${sign}${trimmed(value * 100, 2)}pp`
      : `${sign}${formatValue(value, row.unit)}`;
  }
  return `${sign}${trimmed(value, 1)}%`;
}

function change(row: ComparisonRow): string {
  const c = row.change;
  if (c === null) return '-';
  const low = c.low === null ? '-∞' : formatChange(row, c.low);
  const high = c.high === null ? '+∞' : formatChange(row, c.high);
  return `${formatChange(row, c.estimate)} [${low}, ${high}]`;
}

function mde(row: ComparisonRow): string {
  if (row.mde === null) return 'none at this k';
  return `±${formatChange(row, row.mde).replace(/^\+/, '')}`;
}

const HEADER = [
  'metric',
  'stat',
  'baseline [CI]',
  'candidate [CI]',
  'change [CI]',
  'verdict',
  'MDE',
];

/** The comparison as an aligned text table with a verdict count and, for inconclusive rows, why. */
export function renderComparisonTable(result: ComparisonResult): string {
  const lines = result.rows.map((r) => [
    r.metric,
    r.statistic,
    side(r, 'baseline'),
    side(r, 'candidate'),
    change(r),
    r.verdict,
    mde(r),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = [
    `baseline: ${result.baseline.runs} runs, candidate: ${result.candidate.runs} runs; ` +
      `margin ±${trimmed(result.settings.margin * 100, 1)}%, alpha ${result.settings.alpha}, ` +
      `CI ${trimmed(result.settings.confidenceLevel * 100, 1)}%`,
    '',
    format(HEADER),
    ...lines.map(format),
    '',
  ];
  const c = result.counts;
  out.push(
    `${c.regression} regression, ${c.improvement} improvement, ${c['no-change']} no-change, ` +
      `${c.inconclusive} inconclusive`,
  );
  const reasons = new Set(
    result.rows.filter((r) => r.verdict === 'inconclusive').map((r) => r.reason),
  );
  if (reasons.size > 0 && reasons.size <= 3) for (const r of reasons) out.push(`  ${r}`);
  out.push(
    'MDE: the smallest change this comparison would flag (80% power) at this number of runs and noise.',
  );
  return out.join('\n');
}
