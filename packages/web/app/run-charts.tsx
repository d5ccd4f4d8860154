// The charts of a run over time, shared by the live run page (columns built from its polls), the
// result page and the self-contained HTML report (columns computed from the run's snapshots).
import type { TimeSeries } from '@stampede/protocol';
import { TimeChart } from './chart.tsx';

/** Request rate, latency percentiles (merged histograms), error rate and VUs over time. */
export function RunCharts(props: { series: TimeSeries }) {
  const s = props.series;
  if (s.timesSec.length === 0) return null;
  return (
    <div class="charts">
      <TimeChart
        title="Request rate"
        unit="req/s"
        timesSec={s.timesSec}
        series={[{ label: 'requests/s', values: s.ratePerSec }]}
      />
      <TimeChart
        title="Latency p50 / p95 / p99 (merged histograms)"
        unit="ms"
        timesSec={s.timesSec}
        series={[
          { label: 'p50', values: s.p50Ms },
          { label: 'p95', values: s.p95Ms },
          { label: 'p99', values: s.p99Ms },
        ]}
      />
      <TimeChart
        title="Error rate"
        unit="%"
        timesSec={s.timesSec}
        series={[{ label: 'failed requests', values: s.errorPct }]}
      />
      <TimeChart
        title="VUs"
        unit="VUs"
        timesSec={s.timesSec}
        series={[{ label: 'VUs', values: s.vus }]}
      />
    </div>
  );
}
