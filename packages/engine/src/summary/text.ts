// The end-of-test summary for people, k6 style: thresholds, checks, metrics with dotted padding,
// the generator's health, and a loud warning when the generator itself was the bottleneck. It
// reads only the Summary object, so a saved --summary-json renders exactly like a live run.
import type { Summary, SummaryMetric } from '@stampede/protocol';
import { parseThresholdExpression, parseThresholdKey } from '../thresholds/parse.ts';
import { formatBytes, formatDuration, formatNumber, formatPercent } from './format.ts';
import { formatEndpointsTable, formatErrorsTable, formatNoDataWarnings } from './text-tables.ts';

/** How to render the text summary. */
export interface TextSummaryOptions {
  /** Use ANSI colours (pass true only when writing to a TTY); default false. */
  readonly color?: boolean;
}

interface Paint {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  warn(s: string): string;
}

function paint(color: boolean): Paint {
  const wrap = (open: string) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[0m` : s);
  return { ok: wrap('32'), bad: wrap('31'), dim: wrap('2'), bold: wrap('1'), warn: wrap('1;31') };
}

/** Renders `summary` as the terminal report (lines end with \n). */
export function formatSummaryText(summary: Summary, options: TextSummaryOptions = {}): string {
  const p = paint(options.color === true);
  const out: string[] = [''];
  const thresholds = Object.entries(summary.thresholds);
  if (thresholds.length > 0) {
    out.push(`  ${p.bold('THRESHOLDS')}`, '');
    for (const [key, list] of thresholds) {
      out.push(`    ${key}`);
      for (const t of list) {
        const mark = t.ok ? p.ok('✓') : p.bad('✗');
        const value =
          t.value === null ? 'no data' : thresholdValue(summary, key, t.expression, t.value);
        out.push(`    ${mark} '${t.expression}' ${value}${t.abortOnFail ? ' (abortOnFail)' : ''}`);
      }
      out.push('');
    }
    out.push(...formatNoDataWarnings(summary, p));
  }

  if (summary.checks.length > 0) {
    out.push(`  ${p.bold('CHECKS')}`, '');
    // Top-level checks first, then each group in order of first appearance.
    const groups = new Map<string, Summary['checks']>([['', []]]);
    for (const c of summary.checks) {
      const list = groups.get(c.group);
      if (list) list.push(c);
      else groups.set(c.group, [c]);
    }
    const width = Math.max(...summary.checks.map((c) => c.name.length + (c.group === '' ? 0 : 2)));
    for (const [group, checks] of groups) {
      if (group !== '') out.push(`    █ ${group}`);
      const indent = group === '' ? '' : '  ';
      for (const c of checks) {
        const total = c.passes + c.fails;
        const mark = c.fails === 0 ? p.ok('✓') : p.bad('✗');
        const pct = formatPercent(total > 0 ? c.passes / total : 0).padStart(7);
        const name = c.name.padEnd(width - indent.length);
        out.push(`    ${indent}${mark} ${name}  ${pct}  ✓ ${c.passes} ✗ ${c.fails}`);
      }
    }
    out.push('');
  }

  const metrics = Object.entries(summary.metrics);
  if (metrics.length > 0) {
    out.push(`  ${p.bold('METRICS')}`, '');
    // Sub-metrics (name{tag:value}) are listed under their metric, showing only the filter.
    const labels = metrics.map(([name]) => {
      const brace = name.indexOf('{');
      return brace < 0 ? name : `  ${name.slice(brace)}`;
    });
    const width = Math.max(30, ...labels.map((l) => l.length + 3));
    metrics.forEach(([, m], i) => {
      const label = labels[i] as string;
      out.push(`    ${label}${p.dim('.'.repeat(width - label.length))}: ${metricValues(m)}`);
    });
    out.push('');
  }

  out.push(...formatEndpointsTable(summary, p), ...formatErrorsTable(summary, p));

  const g = summary.generator;
  out.push(`  ${p.bold('GENERATOR')}`, '');
  out.push(
    `    workers=${g.workers}${g.path === undefined ? '' : ` path=${g.path}`} cpu avg=${formatPercent(g.cpuUtilization)} max=${formatPercent(g.cpuUtilizationMax)} event-loop delay p99=${formatDuration(g.eventLoopDelayP99Ms)}`,
    '',
  );
  if (g.saturated) {
    out.push(
      p.warn(
        '  ⚠ WARNING: THE LOAD GENERATOR WAS SATURATED. These numbers measure Stampede as much',
      ),
      p.warn('    as the system under test; add workers or generators, or lower the load.'),
    );
    for (const r of g.reasons) out.push(p.warn(`    - ${r}`));
    out.push('');
  }

  out.push(`  ${p.bold('RESULT')}: ${result(summary, p)}`, '');
  return out.join('\n');
}

function result(summary: Summary, p: Paint): string {
  const duration = formatDuration(summary.durationMs);
  if (summary.result === 'passed') return `${p.ok('passed')} in ${duration}`;
  if (summary.result === 'aborted') {
    return `${p.bad('aborted')} after ${duration}${summary.abortReason === null ? '' : `: ${summary.abortReason}`}`;
  }
  const failed = Object.values(summary.thresholds)
    .flat()
    .filter((t) => !t.ok).length;
  return `${p.bad('failed')} in ${duration}: ${failed} threshold${failed === 1 ? '' : 's'} failed`;
}

function thresholdValue(summary: Summary, key: string, expression: string, value: number): string {
  let aggregation = 'value';
  let metric: SummaryMetric | undefined;
  try {
    const a = parseThresholdExpression(expression, key).aggregation;
    aggregation = a.kind === 'p' ? `p(${a.p})` : a.kind;
    const k = parseThresholdKey(key);
    metric = summary.metrics[k.name] ?? summary.metrics[k.metric];
  } catch {
    // A summary from elsewhere may hold an expression this version cannot parse; show the number.
  }
  let shown = formatNumber(value);
  if (metric?.type === 'trend' && metric.contains === 'time' && aggregation !== 'count') {
    shown = formatDuration(value);
  } else if (metric?.type === 'rate') {
    shown = formatPercent(value);
  } else if (metric?.type === 'counter' && aggregation === 'rate') {
    shown = `${formatNumber(value)}/s`;
  }
  return `${aggregation}=${shown}`;
}

function metricValues(m: SummaryMetric): string {
  switch (m.type) {
    case 'trend': {
      const v = m.values;
      const f = m.contains === 'time' ? formatDuration : formatNumber;
      return [
        `avg=${f(v.mean)}`,
        `min=${f(v.min)}`,
        `med=${f(v.p50)}`,
        `max=${f(v.max)}`,
        `p(90)=${f(v.p90)}`,
        `p(95)=${f(v.p95)}`,
        `p(99)=${f(v.p99)}`,
      ].join(' ');
    }
    case 'counter':
      return m.contains === 'data'
        ? `${formatBytes(m.values.count).padEnd(10)} ${formatBytes(m.values.rate)}/s`
        : `${formatNumber(m.values.count).padEnd(10)} ${formatNumber(m.values.rate)}/s`;
    case 'rate': {
      const total = m.values.passes + m.values.fails;
      return `${formatPercent(m.values.rate).padEnd(10)} ${m.values.passes} out of ${total}`;
    }
    case 'gauge':
      return `${formatNumber(m.values.value).padEnd(10)} min=${formatNumber(m.values.min)} max=${formatNumber(m.values.max)}`;
  }
}
