// A run's page: live figures and charts while it runs (polled every second), its summary once
// it has ended, its status changes and its log; Abort for tokens with the `run` scope.
import type {
  RunLive,
  RunLogLine,
  RunLogs,
  RunTransitionView,
  RunView,
  TimeSeries,
} from '@stampede/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiCall } from '../api.ts';
import { ConfirmButton } from '../confirm-button.tsx';
import {
  ErrorNotice,
  Figures,
  isEnded,
  NotFound,
  Page,
  Reconnecting,
  StatusBadge,
} from '../common.tsx';
import { fmtTime } from '../format.ts';
import { appendLive, emptySeries, type LiveSeries } from '../live-series.ts';
import { usePoll } from '../poll.ts';
import type { Session } from '../session.ts';
import { RunCharts } from '../run-charts.tsx';
import { LiveFigures } from './run-live.tsx';
import { ResultView } from './run-result.tsx';

const LIVE_POLL_MS = 1000;

interface RunData {
  run: RunView;
  live: RunLive | null;
  transitions: RunTransitionView[];
}

function AbortButton(props: { session: Session; runId: string }) {
  return (
    <ConfirmButton
      label="Abort"
      question={`Abort run ${props.runId} now? Its generators stop at once.`}
      action={() =>
        apiCall(props.session.token, 'POST', `/runs/${encodeURIComponent(props.runId)}/abort`, {
          reason: 'aborted from the web UI',
        })
      }
    />
  );
}

/** Tails the run's log while the page is open (`afterId` cursor). */
function useRunLog(token: string, runId: string, ended: boolean): RunLogLine[] {
  const [lines, setLines] = useState<RunLogLine[]>([]);
  const after = useRef(0);
  const { data } = usePoll(
    () =>
      apiCall<RunLogs>(
        token,
        'GET',
        `/runs/${encodeURIComponent(runId)}/logs?afterId=${after.current}&limit=500`,
      ),
    `log ${runId}`,
    2000,
    !ended,
  );
  useEffect(() => {
    if (data === undefined || data.items.length === 0) return;
    after.current = data.nextAfterId;
    setLines((old) => [...old, ...data.items].slice(-1000));
  }, [data]);
  return lines;
}

/** The run page of run `runId`. */
export function RunPage(props: { session: Session; runId: string }) {
  const { token } = props.session;
  const id = encodeURIComponent(props.runId);
  const [series, setSeries] = useState<LiveSeries>(emptySeries);
  const [ended, setEnded] = useState(false);
  const { data, error, reconnecting } = usePoll<RunData>(
    async () => {
      const run = await apiCall<RunView>(token, 'GET', `/runs/${id}`);
      const [live, transitions] = await Promise.all([
        isEnded(run.status)
          ? Promise.resolve(null)
          : apiCall<RunLive>(token, 'GET', `/runs/${id}/live`),
        apiCall<{ items: RunTransitionView[] }>(token, 'GET', `/runs/${id}/transitions`),
      ]);
      return { run, live, transitions: transitions.items };
    },
    props.runId,
    LIVE_POLL_MS,
    !ended,
  );
  useEffect(() => {
    setSeries(emptySeries());
    setEnded(false);
  }, [props.runId]);
  useEffect(() => {
    if (data === undefined) return;
    if (data.live !== null && data.run.status === 'running') {
      const live = data.live;
      setSeries((s) => appendLive(s, live, Date.now()));
    }
    // Keep polling until the summary is there (it is stored as the run ends).
    if (isEnded(data.run.status) && data.run.summary !== null) setEnded(true);
  }, [data]);
  const log = useRunLog(token, props.runId, ended);
  // Once the run has ended, the charts show the whole run from its stored snapshots.
  const whole = usePoll<TimeSeries | null>(
    () => (ended ? apiCall<TimeSeries>(token, 'GET', `/runs/${id}/series`) : Promise.resolve(null)),
    `series ${props.runId} ${ended}`,
    0,
  );

  if (error?.status === 404 && data === undefined) return <NotFound what={`Run ${props.runId}`} />;
  if (data === undefined) {
    return (
      <Page title={`Run ${props.runId}`}>
        {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : <p>Loading…</p>}
      </Page>
    );
  }
  const { run, live, transitions } = data;
  return (
    <Page
      title={
        <>
          Run <code>{run.id}</code> <StatusBadge status={run.status} />
        </>
      }
    >
      {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : null}
      <p class="status-reason" data-testid="run-status">
        {run.status}
        {run.statusReason === '' ? '' : `: ${run.statusReason}`}
      </p>
      {props.session.canRun && !isEnded(run.status) ? (
        <AbortButton session={props.session} runId={run.id} />
      ) : null}
      <Figures
        items={[
          ['Pool', run.pool, 'run-pool'],
          ['Generators', String(run.generatorsRequested), 'run-generators'],
          ['Created by', run.createdBy, 'run-created-by'],
          ['Created', fmtTime(run.createdAtMs), 'run-created'],
          ['Started', fmtTime(run.startedAtMs), 'run-started'],
          ['Ended', fmtTime(run.endedAtMs), 'run-ended'],
        ]}
      />
      {Object.keys(run.labels).length === 0 ? null : (
        <p>
          Labels:{' '}
          {Object.entries(run.labels).map(([k, v]) => (
            <code key={k} class="label">
              {k}={v}
            </code>
          ))}
        </p>
      )}
      {live === null ? null : <LiveFigures live={live} />}
      {whole.data !== undefined && whole.data !== null && whole.data.timesSec.length > 0 ? (
        <>
          <h2>Over the whole run</h2>
          <div data-testid="whole-run-charts">
            <RunCharts series={whole.data} />
          </div>
        </>
      ) : (
        <RunCharts series={series} />
      )}
      {run.summary === null ? (
        isEnded(run.status) ? (
          <p>This run ended without a summary.</p>
        ) : null
      ) : (
        <ResultView summary={run.summary} runId={run.id} />
      )}
      <h2>Status changes</h2>
      <table>
        <thead>
          <tr>
            <th>At</th>
            <th>From</th>
            <th>To</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {transitions.map((t) => (
            <tr key={t.seq}>
              <td>{fmtTime(t.atMs)}</td>
              <td>{t.from ?? '–'}</td>
              <td>{t.to}</td>
              <td>{t.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Log</h2>
      {log.length === 0 ? (
        <p class="empty">No log lines.</p>
      ) : (
        <pre class="log">
          {log.map(
            (l) =>
              `${new Date(l.atMs).toISOString()} ${l.level.padEnd(5)} ${l.source}: ${l.message}\n`,
          )}
        </pre>
      )}
    </Page>
  );
}
