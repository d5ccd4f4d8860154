// Comparisons: the controller's comparison jobs (experiments, baseline checks), newest first, and
// one job's runs and verdict table: per metric statistic the medians of both sides over runs, the
// change with its confidence interval, the minimum detectable effect and the verdict.
import type { ComparisonRow, ComparisonView } from '@stampede/protocol';
import { apiCall } from '../api.ts';
import { ErrorNotice, NotFound, Page, Reconnecting, StatusBadge } from '../common.tsx';
import { fmtChange, fmtInt, fmtNum, fmtPct, fmtTime } from '../format.ts';
import { usePoll } from '../poll.ts';
import { href } from '../router.ts';
import type { Session } from '../session.ts';

const ENDED = new Set(['done', 'errored', 'aborted']);

function sideLabel(kind: ComparisonView['kind'], side: 'baseline' | 'candidate'): string {
  if (kind === 'experiment') return side === 'baseline' ? 'A' : 'B';
  return side;
}

/** The comparisons list, refreshed every 5 s. */
export function Comparisons(props: { session: Session }) {
  const { data, error, reconnecting } = usePoll(
    () =>
      apiCall<{ items: ComparisonView[] }>(props.session.token, 'GET', '/comparisons?limit=100'),
    'comparisons',
    5000,
  );
  return (
    <Page title="Comparisons">
      {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : null}
      {data === undefined ? (
        <p>Loading…</p>
      ) : data.items.length === 0 ? (
        <p class="empty">
          No comparison yet: start one with <code>stampede experiment</code> (docs/compare.md).
        </p>
      ) : (
        <table data-testid="comparisons">
          <thead>
            <tr>
              <th>ID</th>
              <th>Kind</th>
              <th>Project</th>
              <th>Status</th>
              <th class="num">Runs</th>
              <th>Verdicts</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((c) => (
              <tr key={c.id} data-comparison-id={c.id} class={c.result?.regressed ? 'failing' : ''}>
                <td>
                  <a href={href('comparisons', c.id)}>
                    <code>{c.id}</code>
                  </a>
                </td>
                <td>{c.kind}</td>
                <td>{c.projectId}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td class="num">
                  {c.runs.length} / {c.targetRunsPerSide * 2}
                </td>
                <td>
                  {c.result === null
                    ? '–'
                    : `${c.result.counts.regression} regression, ${c.result.counts.improvement} improvement, ${c.result.counts['no-change']} no change, ${c.result.counts.inconclusive} inconclusive`}
                </td>
                <td>{fmtTime(c.createdAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function fmtValue(row: ComparisonRow, v: number | null): string {
  if (v === null) return '–';
  switch (row.unit) {
    case 'ms':
      return `${fmtNum(v, v < 10 ? 2 : 1)} ms`;
    case 'ratio':
      return fmtPct(v);
    case 'per-second':
      return `${fmtNum(v, 1)}/s`;
    default:
      return fmtNum(v, 2);
  }
}

function VerdictTable(props: { rows: ComparisonRow[]; kind: ComparisonView['kind'] }) {
  return (
    <table data-testid="verdicts">
      <thead>
        <tr>
          <th>Metric</th>
          <th>Statistic</th>
          <th class="num">{sideLabel(props.kind, 'baseline')} median</th>
          <th class="num">{sideLabel(props.kind, 'candidate')} median</th>
          <th class="num">Change [CI]</th>
          <th class="num">MDE</th>
          <th class="num">q</th>
          <th>Verdict</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => {
          const pct = r.change?.scale === 'log';
          return (
            <tr
              key={`${r.metric} ${r.statistic}`}
              class={r.verdict === 'regression' ? 'failing' : ''}
              data-verdict={r.verdict}
            >
              <td>
                <code>{r.metric}</code>
              </td>
              <td>{r.statistic}</td>
              <td class="num">{fmtValue(r, r.baseline.median)}</td>
              <td class="num">{fmtValue(r, r.candidate.median)}</td>
              <td class="num">
                {r.change === null
                  ? '–'
                  : `${fmtChange(r.change.estimate, pct)} [${fmtChange(r.change.low, pct)}, ${fmtChange(r.change.high, pct)}]`}
              </td>
              <td class="num">{r.mde === null ? '–' : fmtChange(r.mde, pct)}</td>
              <td class="num">{r.qValue === null ? '–' : fmtNum(r.qValue, 3)}</td>
              <td>
                <span class={`badge badge-verdict-${r.verdict}`}>{r.verdict}</span>
              </td>
              <td>{r.reason}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** One comparison job: its runs by side and, once computed, the verdict table. */
export function ComparisonPage(props: { session: Session; id: string }) {
  const { data, error, reconnecting } = usePoll(
    () =>
      apiCall<ComparisonView>(
        props.session.token,
        'GET',
        `/comparisons/${encodeURIComponent(props.id)}`,
      ),
    `comparison ${props.id}`,
    3000,
  );
  if (error?.status === 404 && data === undefined)
    return <NotFound what={`Comparison ${props.id}`} />;
  if (data === undefined) {
    return (
      <Page title={`Comparison ${props.id}`}>
        {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : <p>Loading…</p>}
      </Page>
    );
  }
  const c = data;
  const r = c.result;
  return (
    <Page
      title={
        <>
          Comparison <code>{c.id}</code> <StatusBadge status={c.status} />
        </>
      }
    >
      {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : null}
      <p data-testid="comparison-status">
        {c.kind}, project {c.projectId}, by {c.createdBy}, {fmtTime(c.createdAtMs)}: {c.status}
        {c.statusReason === '' ? '' : `: ${c.statusReason}`}
        {ENDED.has(c.status) ? '' : ` (${c.runs.length} of ${c.targetRunsPerSide * 2} runs)`}
      </p>
      {r === null ? (
        <p class="empty">No verdict yet: it is computed once every run has ended.</p>
      ) : (
        <>
          <p class={r.regressed ? 'error' : ''} data-testid="comparison-verdict" role="status">
            {r.regressed ? 'Regressed' : 'No regression'}: {fmtInt(r.counts.regression)} regression,{' '}
            {fmtInt(r.counts.improvement)} improvement, {fmtInt(r.counts['no-change'])} no change,{' '}
            {fmtInt(r.counts.inconclusive)} inconclusive ({sideLabel(c.kind, 'candidate')} vs{' '}
            {sideLabel(c.kind, 'baseline')}, {r.baseline.runs} + {r.candidate.runs} runs; minimum
            effect {fmtPct(r.settings.minEffect)}, α {r.settings.alpha}).
          </p>
          <VerdictTable rows={r.rows} kind={c.kind} />
        </>
      )}
      <h2>Runs</h2>
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>Side</th>
            <th>Run</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {c.runs.map((run, i) => (
            <tr key={run.runId}>
              <td class="num">{i + 1}</td>
              <td>{run.side}</td>
              <td>
                <a href={href('runs', run.runId)}>
                  <code>{run.runId}</code>
                </a>
              </td>
              <td>
                <StatusBadge status={run.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
