// Overview: runs that have not ended, the latest results, and the generators of each pool.
import type { GeneratorView, RunPage } from '@stampede/protocol';
import { apiCall } from '../api.ts';
import {
  ACTIVE_RUN_STATUSES,
  ENDED_RUN_STATUSES,
  ErrorNotice,
  Page,
  Reconnecting,
  StatusBadge,
} from '../common.tsx';
import { fmtNum, fmtTime } from '../format.ts';
import { usePoll } from '../poll.ts';
import { hrefWithQuery } from '../router.ts';
import { RunsTable } from '../runs-table.tsx';
import type { Session } from '../session.ts';

interface OverviewData {
  active: RunPage;
  recent: RunPage;
  generators: GeneratorView[];
}

async function loadOverview(token: string): Promise<OverviewData> {
  const [active, recent, generators] = await Promise.all([
    apiCall<RunPage>(token, 'GET', `/runs?limit=50&status=${ACTIVE_RUN_STATUSES.join(',')}`),
    apiCall<RunPage>(token, 'GET', `/runs?limit=10&status=${ENDED_RUN_STATUSES.join(',')}`),
    apiCall<{ items: GeneratorView[] }>(token, 'GET', '/generators'),
  ]);
  return { active, recent, generators: generators.items };
}

function GeneratorsByPool(props: { generators: GeneratorView[] }) {
  const pools = new Map<string, GeneratorView[]>();
  for (const g of props.generators) pools.set(g.pool, [...(pools.get(g.pool) ?? []), g]);
  if (pools.size === 0) return <p class="empty">No generators are connected.</p>;
  return (
    <>
      {[...pools.entries()].map(([pool, list]) => (
        <div key={pool} class="pool" data-pool={pool}>
          <h3>
            Pool <code>{pool}</code>: {list.length} generator{list.length === 1 ? '' : 's'}
          </h3>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>State</th>
                <th>Run</th>
                <th class="num">CPU</th>
                <th class="num">Loop p99</th>
                <th>Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {list.map((g) => (
                <tr key={g.id}>
                  <td>{g.name}</td>
                  <td>{g.kind}</td>
                  <td>
                    <StatusBadge status={g.status} />
                    {g.health?.saturated === true ? <span class="warn"> saturated</span> : null}
                  </td>
                  <td>{g.runId === null ? '–' : <a href={`#/runs/${g.runId}`}>{g.runId}</a>}</td>
                  <td class="num">{fmtNum(g.health?.cpuUtilization ?? null, 2)}</td>
                  <td class="num">{fmtNum(g.health?.eventLoopDelayP99Ms ?? null, 1)} ms</td>
                  <td>{fmtTime(g.lastHeartbeatMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

/** The overview page, refreshed every 2 s. */
export function Overview(props: { session: Session }) {
  const { data, error, reconnecting } = usePoll(
    () => loadOverview(props.session.token),
    'overview',
    2000,
  );
  return (
    <Page title="Overview">
      {reconnecting ? <Reconnecting /> : error ? <ErrorNotice error={error} /> : null}
      {data === undefined ? (
        <p>Loading…</p>
      ) : (
        <>
          <h2>Queued and running</h2>
          <RunsTable runs={data.active.items} empty="No run is queued or running." />
          <h2>Recent results</h2>
          <RunsTable runs={data.recent.items} empty="No run has ended yet." />
          <p>
            <a href={hrefWithQuery('runs', {})}>All runs</a>
          </p>
          <h2>Generators</h2>
          <GeneratorsByPool generators={data.generators} />
        </>
      )}
    </Page>
  );
}
