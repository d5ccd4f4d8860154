// The per-endpoint and errors tables of a run's summary (the `endpoints` and `errors` fields).
import type { Summary } from '@stampede/protocol';
import { fmtInt, fmtMs, fmtNum, fmtPct } from '../format.ts';

type Endpoint = NonNullable<Summary['endpoints']>[number];
type Errors = NonNullable<Summary['errors']>;

/** One row per endpoint: requests, failures, rate and latency percentiles. */
export function EndpointsTable(props: { endpoints: Endpoint[]; omitted: number }) {
  return (
    <>
      <table data-testid="endpoints">
        <thead>
          <tr>
            <th>Endpoint</th>
            <th>Method</th>
            <th class="num">Requests</th>
            <th class="num">Failed</th>
            <th class="num">Rate</th>
            <th class="num">p50</th>
            <th class="num">p95</th>
            <th class="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {props.endpoints.map((e) => (
            <tr key={`${e.method} ${e.name}`} class={e.failures > 0 ? 'failing' : ''}>
              <td>
                <code>{e.name}</code>
              </td>
              <td>{e.method}</td>
              <td class="num">{fmtInt(e.requests)}</td>
              <td class="num">{fmtInt(e.failures)}</td>
              <td class="num">{fmtNum(e.ratePerSec, 1)}/s</td>
              <td class="num">{fmtMs(e.p50Ms)}</td>
              <td class="num">{fmtMs(e.p95Ms)}</td>
              <td class="num">{fmtMs(e.p99Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.omitted > 0 ? (
        <p class="empty">{fmtInt(props.omitted)} more endpoints are left out of the summary.</p>
      ) : null}
    </>
  );
}

/** Failed requests by client error code and by HTTP status. */
export function ErrorsTable(props: { errors: Errors; requests: number }) {
  const e = props.errors;
  if (e.failedRequests === 0) return <p class="empty">No request failed.</p>;
  return (
    <>
      <p data-testid="failed-requests">
        {fmtInt(e.failedRequests)} failed requests
        {props.requests > 0 ? ` (${fmtPct(e.failedRequests / props.requests)} of requests)` : ''}.
      </p>
      <table data-testid="errors">
        <thead>
          <tr>
            <th>Error</th>
            <th>Meaning</th>
            <th class="num">Count</th>
          </tr>
        </thead>
        <tbody>
          {e.byErrorCode.map((c) => (
            <tr key={c.code}>
              <td>
                <code>{c.code}</code>
              </td>
              <td>{c.description}</td>
              <td class="num">{fmtInt(c.count)}</td>
            </tr>
          ))}
          {e.byStatus.map((s) => (
            <tr key={s.status}>
              <td>
                <code>HTTP {s.status}</code>
              </td>
              <td>response with status {s.status}</td>
              <td class="num">{fmtInt(s.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
