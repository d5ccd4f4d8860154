// The errors table of the summary: failed requests counted by the client's stable error code
// (no response at all) and by HTTP status (a response >= 400), so "every request was refused"
// is one line of the summary, not something to dig out of sub-metrics.
import type { SummaryErrors } from '@stampede/protocol';
import type { MetricTotals } from '../metrics/totals.ts';

const DESCRIPTIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens on the port',
  ECONNRESET: 'connection reset or closed before the response was complete',
  ETIMEDOUT: 'request timed out',
  ENOTFOUND: 'DNS lookup failed',
  ETLS: 'TLS handshake failed',
  EPARSE: 'the response is not valid HTTP/1.x',
  EBODYTOOLARGE: 'the response body exceeded the size limit',
  EABORTED: 'request aborted (the run stopped)',
  EREDIRECTS: 'too many redirects',
  EINVALID: 'invalid request (URL, scheme, method or header)',
  ETARGET: 'a redirect led to a host not on the allow-list',
  EPROTO: 'socket or protocol error',
};

/** What error code `code` means, in a few words. */
export function describeErrorCode(code: string): string {
  return DESCRIPTIONS[code] ?? 'request failed';
}

/** Failed requests of `totals` by error code and by status, most frequent first. */
export function summaryErrors(totals: MetricTotals): SummaryErrors {
  const byCode = new Map<string, number>();
  const byStatus = new Map<number, number>();
  let failedRequests = 0;
  for (const s of totals.series('http_reqs')) {
    if (s.aggregate.type !== 'counter' || s.aggregate.value === 0) continue;
    if (s.tags['expected_response'] !== 'false') continue;
    const count = s.aggregate.value;
    failedRequests += count;
    const code = s.tags['error_code'];
    if (code !== undefined) byCode.set(code, (byCode.get(code) ?? 0) + count);
    else {
      const status = Number(s.tags['status'] ?? 0);
      byStatus.set(status, (byStatus.get(status) ?? 0) + count);
    }
  }
  return {
    failedRequests,
    byErrorCode: [...byCode]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([code, count]) => ({ code, count, description: describeErrorCode(code) })),
    byStatus: [...byStatus]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([status, count]) => ({ status, count })),
  };
}
