// Entry of the self-contained HTML report: the data is a JSON block in the page itself (no
// request is made), drawn with the same result tables and charts as the web UI's run page.
import { render } from 'preact';
import type { ReportData } from '@stampede/protocol';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { fmtTime } from './format.ts';
import { ResultView } from './pages/run-result.tsx';
import { RunCharts } from './run-charts.tsx';

/** The report page of `data`. */
export function Report(props: { data: ReportData }) {
  const { data } = props;
  return (
    <main>
      <h1>
        Stampede report: <code>{data.title}</code>
      </h1>
      <p class="generated">
        Test started {fmtTime(Date.parse(data.summary.startedAt))}; report made{' '}
        {fmtTime(data.generatedAtMs)}.
      </p>
      {data.note === null ? null : (
        <p class="warn" role="note" data-testid="report-note">
          {data.note}
        </p>
      )}
      {data.series === null ? (
        <p class="empty" data-testid="no-series">
          No time series: make the report from the run's intervals too (<code>--out json=FILE</code>
          ) to get charts.
        </p>
      ) : (
        <>
          <h2>Over time</h2>
          <RunCharts series={data.series} />
        </>
      )}
      <ResultView summary={data.summary} runId={data.title} />
    </main>
  );
}

const block = document.getElementById('report-data');
const root = document.getElementById('root');
if (block !== null && root !== null) {
  render(<Report data={JSON.parse(block.textContent ?? 'null') as ReportData} />, root);
}
