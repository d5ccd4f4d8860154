// Run statistics from one `--summary-json` summary (format version 1).
import type { Summary, SummaryMetric, StatisticUnit } from '@stampede/protocol';
import type { RunStatistic, RunStatistics, RunStatisticsOptions } from './run-statistics.ts';
import { TREND_STATISTICS, directionOf, seriesKey, testKeyOf } from './run-statistics.ts';

/**
 * The statistics of one run from its summary: p50/p90/p95/p99/mean of every trend (ms for time
 * trends), the per-second rate of every counter, the rate (0..1) of every rate metric, for every
 * metric and sub-metric (`name{tag:value}`) the summary holds, plus each check's pass rate as
 * `checks{check:NAME}` (`checks{group:G,check:NAME}` inside a group). Gauges are left out.
 */
export function runStatisticsFromSummary(
  summary: Summary,
  options: RunStatisticsOptions = {},
): RunStatistics {
  const statistics: RunStatistic[] = [];
  for (const [key, m] of Object.entries(summary.metrics)) {
    statistics.push(...metricStatistics(key, m, options));
  }
  for (const c of summary.checks) {
    const total = c.passes + c.fails;
    if (total === 0) continue;
    const key =
      c.group === ''
        ? seriesKey('checks', 'check', c.name)
        : `checks{group:${c.group},check:${c.name}}`;
    if (summary.metrics[key] !== undefined) continue;
    statistics.push({
      metric: key,
      statistic: 'rate',
      value: c.passes / total,
      unit: 'ratio',
      direction: 'lower-is-worse',
    });
  }
  return {
    source: options.source ?? 'run',
    testKey: testKeyOf(summary.scenarios),
    durationMs: summary.durationMs,
    statistics,
  };
}

/** The statistics of one summary metric entry (none for gauges and for trends without samples). */
export function metricStatistics(
  key: string,
  m: SummaryMetric,
  options: RunStatisticsOptions = {},
): RunStatistic[] {
  const direction = directionOf(key, options.directions);
  switch (m.type) {
    case 'trend': {
      if (m.values.count === 0) return [];
      const unit: StatisticUnit = m.contains === 'time' ? 'ms' : 'value';
      return TREND_STATISTICS.map((s) => ({
        metric: key,
        statistic: s,
        value: m.values[s],
        unit,
        direction,
      }));
    }
    case 'counter':
      return [
        {
          metric: key,
          statistic: 'rate',
          value: m.values.rate,
          unit: m.contains === 'data' ? 'bytes-per-second' : 'per-second',
          direction,
        },
      ];
    case 'rate':
      if (m.values.passes + m.values.fails === 0) return [];
      return [{ metric: key, statistic: 'rate', value: m.values.rate, unit: 'ratio', direction }];
    case 'gauge':
      return [];
  }
}
