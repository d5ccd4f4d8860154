// The live part of a run page: merged figures of the last interval, charts of what the page has
// seen, and each generator's state.
import type { RunLive } from '@stampede/protocol';
import { Figures } from '../common.tsx';
import { fmtDuration, fmtInt, fmtMs, fmtNum, fmtPct, fmtTime } from '../format.ts';

/** Live figures and generators of a run. */
export function LiveFigures(props: { live: RunLive }) {
  const l = props.live;
  return (
    <>
      <Figures
        items={[
          ['Elapsed', fmtDuration(l.elapsedMs), 'live-elapsed'],
          ['Requests', fmtInt(l.totalRequests), 'live-total-requests'],
          ['Request rate', `${fmtNum(l.requestRatePerSec, 1)}/s`, 'live-rate'],
          ['p50 (last interval)', fmtMs(l.p50Ms), 'live-p50'],
          ['p95 (last interval)', fmtMs(l.p95Ms), 'live-p95'],
          ['p99 (last interval)', fmtMs(l.p99Ms), 'live-p99'],
          ['Failed (last interval)', fmtInt(l.failedRequests), 'live-failed'],
          [
            'Error rate (last interval)',
            l.errorRate === null ? '–' : fmtPct(l.errorRate),
            'live-error-rate',
          ],
          ['VUs', `${fmtInt(l.vus)} / ${fmtInt(l.vusMax)}`, 'live-vus'],
          ['Iterations', fmtInt(l.iterations), 'live-iterations'],
          ['Failing thresholds', fmtInt(l.failingThresholds), 'live-failing-thresholds'],
        ]}
      />
      {l.failingThresholds > 0 ? (
        <p class="error" role="alert">
          {l.failingThresholds} threshold{l.failingThresholds === 1 ? ' is' : 's are'} failing.
        </p>
      ) : null}
      <h2>Generators</h2>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Activity</th>
            <th>Health</th>
            <th>Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {l.generators.map((g) => (
            <tr key={g.generatorId}>
              <td>{g.name}</td>
              <td>{g.activity}</td>
              <td>{g.saturated ? <span class="warn">saturated</span> : 'ok'}</td>
              <td>{fmtTime(g.lastHeartbeatMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
