// The result part of a run page: the stored end-of-test summary as tables.
import type { Summary, SummaryMetric } from '@stampede/protocol';
import { useEffect, useMemo } from 'preact/hooks';
import { Figures, StatusBadge } from '../common.tsx';
import { EndpointsTable, ErrorsTable } from './result-tables.tsx';
import { fmtDuration, fmtInt, fmtMs, fmtNum, fmtPct } from '../format.ts';

type Trend = Extract<SummaryMetric, { type: 'trend' }>;

function counter(summary: Summary, name: string): number | null {
  const m = summary.metrics[name];
  return m?.type === 'counter' ? m.values.count : null;
}

function TrendRows(props: { rows: [string, Trend][] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Metric</th>
          <th class="num">count</th>
          <th class="num">p50</th>
          <th class="num">p90</th>
          <th class="num">p95</th>
          <th class="num">p99</th>
          <th class="num">max</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map(([name, m]) => {
          const f = m.contains === 'time' ? fmtMs : (v: number) => fmtNum(v, 2);
          return (
            <tr key={name} data-metric={name}>
              <td>
                <code>{name}</code>
              </td>
              <td class="num">{fmtInt(m.values.count)}</td>
              <td class="num">{f(m.values.p50)}</td>
              <td class="num">{f(m.values.p90)}</td>
              <td class="num">{f(m.values.p95)}</td>
              <td class="num">{f(m.values.p99)}</td>
              <td class="num">{f(m.values.max)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function OtherMetrics(props: { summary: Summary }) {
  const rows = Object.entries(props.summary.metrics).filter(([, m]) => m.type !== 'trend');
  return (
    <table>
      <thead>
        <tr>
          <th>Metric</th>
          <th>Type</th>
          <th class="num">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, m]) => (
          <tr key={name} data-metric={name}>
            <td>
              <code>{name}</code>
            </td>
            <td>{m.type}</td>
            <td class="num">
              {m.type === 'counter'
                ? `${fmtInt(m.values.count)} (${fmtNum(m.values.rate, 1)}/s)`
                : m.type === 'rate'
                  ? `${fmtPct(m.values.rate)} (${fmtInt(m.values.passes)} ✓ ${fmtInt(m.values.fails)} ✗)`
                  : m.type === 'gauge'
                    ? `${fmtNum(m.values.value, 0)} (min ${fmtNum(m.values.min, 0)}, max ${fmtNum(m.values.max, 0)})`
                    : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A link that downloads the summary as JSON (a blob URL: no request, nothing inline). */
function DownloadSummary(props: { summary: Summary; runId: string }) {
  const url = useMemo(
    () =>
      URL.createObjectURL(
        new Blob([JSON.stringify(props.summary, null, 2)], { type: 'application/json' }),
      ),
    [props.summary],
  );
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <a href={url} download={`${props.runId}-summary.json`}>
      Download the summary JSON
    </a>
  );
}

/** The end-of-test summary of a run: totals, thresholds, checks, metrics, endpoints, generator health. */
export function ResultView(props: { summary: Summary; runId: string }) {
  const s = props.summary;
  const trends = Object.entries(s.metrics).filter(
    (e): e is [string, Trend] => e[1].type === 'trend',
  );
  const endpoints = trends.filter(([name]) => name.startsWith('http_req_duration{name:'));
  const plain = trends.filter(([name]) => !name.includes('{'));
  const thresholds = Object.entries(s.thresholds).flatMap(([metric, list]) =>
    list.map((t) => ({ metric, ...t })),
  );
  const duration = s.metrics['http_req_duration'];
  return (
    <>
      {s.generator.saturated ? (
        <p class="error" role="alert" data-testid="saturated">
          The load generator was saturated: these numbers are suspect (
          {s.generator.reasons.join('; ')}).
        </p>
      ) : null}
      <Figures
        items={[
          ['Result', s.result, 'result-result'],
          ['Duration', fmtDuration(s.durationMs), 'result-duration'],
          ['Requests', fmtInt(counter(s, 'http_reqs') ?? 0), 'result-requests'],
          ['Iterations', fmtInt(counter(s, 'iterations') ?? 0), 'result-iterations'],
          ['p50', duration?.type === 'trend' ? fmtMs(duration.values.p50) : '–', 'result-p50'],
          ['p95', duration?.type === 'trend' ? fmtMs(duration.values.p95) : '–', 'result-p95'],
          ['p99', duration?.type === 'trend' ? fmtMs(duration.values.p99) : '–', 'result-p99'],
        ]}
      />
      {s.abortReason === null ? null : <p>Aborted: {s.abortReason}</p>}
      <h2>Thresholds</h2>
      {thresholds.length === 0 ? (
        <p class="empty">The test sets no thresholds.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Metric</th>
              <th>Expression</th>
              <th class="num">Value</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {thresholds.map((t) => (
              <tr key={`${t.metric} ${t.expression}`} class={t.ok ? '' : 'failing'}>
                <td>
                  <code>{t.metric}</code>
                </td>
                <td>
                  <code>{t.expression}</code>
                </td>
                <td class="num">{fmtNum(t.value, 2)}</td>
                <td>
                  <StatusBadge status={t.ok ? 'passed' : 'failed'} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Checks</h2>
      {s.checks.length === 0 ? (
        <p class="empty">The test makes no checks.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Check</th>
              <th class="num">Passes</th>
              <th class="num">Fails</th>
            </tr>
          </thead>
          <tbody>
            {s.checks.map((c) => (
              <tr key={`${c.group}/${c.name}`} class={c.fails > 0 ? 'failing' : ''}>
                <td>{c.group === '' ? c.name : `${c.group} › ${c.name}`}</td>
                <td class="num">{fmtInt(c.passes)}</td>
                <td class="num">{fmtInt(c.fails)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Latencies and other trends</h2>
      <TrendRows rows={plain} />
      {s.endpoints !== undefined && s.endpoints.length > 0 ? (
        <>
          <h2>Per endpoint</h2>
          <EndpointsTable endpoints={s.endpoints} omitted={s.endpointsOmitted ?? 0} />
        </>
      ) : endpoints.length === 0 ? null : (
        <>
          <h2>Per endpoint (name tag)</h2>
          <TrendRows rows={endpoints} />
        </>
      )}
      {s.errors === undefined ? null : (
        <>
          <h2>Errors</h2>
          <ErrorsTable errors={s.errors} requests={counter(s, 'http_reqs') ?? 0} />
        </>
      )}
      <h2>Counters, rates and gauges</h2>
      <OtherMetrics summary={s} />
      <h2>Load generator</h2>
      <Figures
        items={[
          ['Workers', fmtInt(s.generator.workers), 'gen-workers'],
          ['Path', s.generator.path ?? '–', 'gen-path'],
          [
            'CPU (mean / max)',
            `${fmtNum(s.generator.cpuUtilization, 2)} / ${fmtNum(s.generator.cpuUtilizationMax, 2)}`,
            'gen-cpu',
          ],
          ['Event-loop delay p99', fmtMs(s.generator.eventLoopDelayP99Ms), 'gen-loop'],
        ]}
      />
      <p>
        <DownloadSummary summary={s} runId={props.runId} />
      </p>
    </>
  );
}
