// The per-endpoint table of the summary (what Locust, Gatling and Artillery print): one row per
// `name` tag, or per method + URL template when the request was not named, with requests,
// failures, latency percentiles from the endpoint's merged histogram, and rate. URLs with ids in
// them would make one row per id, so unnamed URLs are reduced to a template and the table is
// capped; the rest is counted, not shown.
import type { SummaryEndpoint } from '@stampede/protocol';
import {
  mergeAggregate,
  percentile,
  type MetricAggregate,
  type MetricTotals,
} from '../metrics/totals.ts';

/** Most rows of the per-endpoint table; endpoints beyond it are counted in `endpointsOmitted`. */
export const ENDPOINT_LIMIT = 50;

const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/** The template of an unnamed request's URL: no query or fragment, numeric/uuid/hex path segments as `{id}`. */
export function urlTemplate(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const path = parsed.pathname
    .split('/')
    .map((seg) => (ID_SEGMENT.test(seg) ? '{id}' : seg))
    .join('/');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

interface Row {
  name: string;
  methods: Set<string>;
  requests: number;
  failures: number;
  duration: MetricAggregate | undefined;
}

/** The per-endpoint rows of `totals`, busiest first, and how many endpoints the limit left out. */
export function summaryEndpoints(
  totals: MetricTotals,
  durationMs: number,
  limit = ENDPOINT_LIMIT,
): { endpoints: SummaryEndpoint[]; omitted: number } {
  const rows = new Map<string, Row>();
  const rowOf = (tags: Readonly<Record<string, string>>): Row => {
    const raw = tags['name'] ?? '';
    const method = tags['method'] ?? '';
    // An unnamed request's name tag is its URL: group it by method + template instead.
    const unnamed = /^https?:\/\//i.test(raw);
    const name = unnamed ? urlTemplate(raw) : raw;
    const key = unnamed ? `${method} ${name}` : name;
    let row = rows.get(key);
    if (!row) {
      row = { name, methods: new Set(), requests: 0, failures: 0, duration: undefined };
      rows.set(key, row);
    }
    if (method !== '') row.methods.add(method);
    return row;
  };
  for (const s of totals.series('http_reqs')) {
    if (s.aggregate.type !== 'counter') continue;
    const row = rowOf(s.tags);
    row.requests += s.aggregate.value;
    if (s.tags['expected_response'] === 'false') row.failures += s.aggregate.value;
  }
  for (const s of totals.series('http_req_duration')) {
    if (s.aggregate.type !== 'trend') continue;
    const row = rowOf(s.tags);
    row.duration = mergeAggregate(row.duration, s.aggregate, 'http_req_duration');
  }
  const sorted = [...rows.values()]
    .filter((r) => r.requests > 0)
    .sort((a, b) => b.requests - a.requests || (a.name < b.name ? -1 : 1));
  const pct = (r: Row, p: number): number =>
    r.duration?.type === 'trend' ? percentile(r.duration, p) : 0;
  const endpoints = sorted.slice(0, limit).map((r) => ({
    name: r.name,
    method: r.methods.size === 1 ? ([...r.methods][0] as string) : '*',
    requests: r.requests,
    failures: r.failures,
    p50Ms: pct(r, 50),
    p95Ms: pct(r, 95),
    p99Ms: pct(r, 99),
    ratePerSec: durationMs > 0 ? r.requests / (durationMs / 1000) : 0,
  }));
  return { endpoints, omitted: sorted.length - endpoints.length };
}
