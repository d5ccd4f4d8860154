// A table of runs linking to each run's page.
import type { RunView } from '@stampede/protocol';
import { StatusBadge } from './common.tsx';
import { fmtInt, fmtMs, fmtTime } from './format.ts';
import { href } from './router.ts';

function requests(run: RunView): string {
  const m = run.summary?.metrics['http_reqs'];
  return m?.type === 'counter' ? fmtInt(m.values.count) : '–';
}

function p95(run: RunView): string {
  const m = run.summary?.metrics['http_req_duration'];
  return m?.type === 'trend' ? fmtMs(m.values.p95) : '–';
}

/** Runs, one row each: id, status, pool, generators, who started it, when, requests, p95. */
export function RunsTable(props: { runs: RunView[]; empty: string }) {
  if (props.runs.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Run</th>
          <th>Status</th>
          <th>Pool</th>
          <th>Generators</th>
          <th>Created by</th>
          <th>Created</th>
          <th class="num">Requests</th>
          <th class="num">p95</th>
        </tr>
      </thead>
      <tbody>
        {props.runs.map((r) => (
          <tr key={r.id} data-run-id={r.id}>
            <td>
              <a href={href('runs', r.id)}>{r.id}</a>
            </td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>{r.pool}</td>
            <td class="num">{r.generatorsRequested}</td>
            <td>{r.createdBy}</td>
            <td>{fmtTime(r.createdAtMs)}</td>
            <td class="num">{requests(r)}</td>
            <td class="num">{p95(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
