// Generators: every generator with its pool, state, run, heartbeat age and resource use, refreshed
// every 2 s; admins get Terminate (break glass, with a confirmation) on the ones not retired.
import type { GeneratorView } from '@stampede/protocol';
import { apiCall } from '../api.ts';
import { ConfirmButton } from '../confirm-button.tsx';
import { ErrorNotice, Page, Reconnecting, StatusBadge } from '../common.tsx';
import { fmtAgeMs, fmtMiB, fmtNum, fmtTime } from '../format.ts';
import { usePoll } from '../poll.ts';
import { href, hrefWithQuery, type Route } from '../router.ts';
import type { Session } from '../session.ts';

function TerminateButton(props: { session: Session; generator: GeneratorView }) {
  const g = props.generator;
  const running = g.runId === null ? '' : ` Its part of run ${g.runId} stops at once.`;
  return (
    <ConfirmButton
      label="Terminate"
      ariaLabel={`Terminate ${g.name}`}
      question={`Terminate generator ${g.name} (${g.id})?${running}`}
      action={() =>
        apiCall(props.session.token, 'POST', `/generators/${encodeURIComponent(g.id)}/terminate`, {
          reason: 'terminated from the web UI',
        })
      }
    />
  );
}

/** The generators page; `?retired=1` includes retired generators. */
export function Generators(props: { session: Session; route: Route }) {
  const retired = props.route.query.get('retired') === '1';
  const { data, error, reconnecting } = usePoll(
    () =>
      apiCall<{ items: GeneratorView[] }>(
        props.session.token,
        'GET',
        `/generators${retired ? '?includeRetired=true' : ''}`,
      ),
    `generators ${retired}`,
    2000,
  );
  const nowMs = Date.now();
  return (
    <Page title="Generators">
      {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : null}
      <p>
        {retired ? (
          <a href={href('generators')}>Hide retired generators</a>
        ) : (
          <a href={hrefWithQuery('generators', { retired: '1' })}>Show retired generators</a>
        )}
      </p>
      {data === undefined ? (
        <p>Loading…</p>
      ) : data.items.length === 0 ? (
        <p class="empty">No generators are connected.</p>
      ) : (
        <table data-testid="generators">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Kind</th>
              <th>Pool</th>
              <th>State</th>
              <th>Run</th>
              <th>Last heartbeat</th>
              <th class="num">CPU</th>
              <th class="num">RSS</th>
              <th class="num">Heap</th>
              <th class="num">Loop p99</th>
              <th>Since</th>
              {props.session.isAdmin ? <th>Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {data.items.map((g) => (
              <tr key={g.id} data-generator-id={g.id}>
                <td>{g.name}</td>
                <td>
                  <code>{g.id}</code>
                </td>
                <td>{g.kind}</td>
                <td>
                  <code>{g.pool}</code>
                </td>
                <td>
                  <StatusBadge status={g.status} />
                  {g.health?.saturated === true ? <span class="warn"> saturated</span> : null}
                </td>
                <td>{g.runId === null ? '–' : <a href={href('runs', g.runId)}>{g.runId}</a>}</td>
                <td title={fmtTime(g.lastHeartbeatMs)}>
                  {g.lastHeartbeatMs === null ? '–' : `${fmtAgeMs(nowMs - g.lastHeartbeatMs)} ago`}
                </td>
                <td class="num">{fmtNum(g.health?.cpuUtilization ?? null, 2)}</td>
                <td class="num">{g.health ? fmtMiB(g.health.rssBytes) : '–'}</td>
                <td class="num">{g.health ? fmtMiB(g.health.heapUsedBytes) : '–'}</td>
                <td class="num">{fmtNum(g.health?.eventLoopDelayP99Ms ?? null, 1)} ms</td>
                <td>{fmtTime(g.createdAtMs)}</td>
                {props.session.isAdmin ? (
                  <td>
                    {g.retiredAtMs === null &&
                    g.status !== 'terminating' &&
                    g.status !== 'terminated' ? (
                      <TerminateButton session={props.session} generator={g} />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
