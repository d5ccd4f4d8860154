// `stampede compare` on summaries of real runs (`stampede run --repeat`) against real targets on
// 127.0.0.1 whose delay is fixed per target: A/A never regresses, +25% is a regression whose
// interval holds +25%, −25% an improvement, and bad input is named with exit 2.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { comparisonResultSchema, type ComparisonResult } from '@stampede/protocol';
import { describeResult, runCli, tempDir } from './harness.ts';

const RUNS = 5;
const dir = tempDir();
const servers: Server[] = [];

/** A target answering every request after `delayMs` (plus a random part up to `jitterMs`). */
async function target(delayMs: number, jitterMs = 0): Promise<string> {
  const server = createServer((_req, res) => {
    const wait = delayMs + (jitterMs > 0 ? Math.exp(Math.random() * Math.log(jitterMs)) : 0);
    setTimeout(() => res.end('ok'), wait);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Runs `--repeat runs` short runs against `url`; returns the summary paths. */
async function measure(name: string, url: string, runs = RUNS): Promise<string[]> {
  const base = dir.path(`${name}.json`);
  const r = await runCli(
    ['run', '--url', url, '--vus', '4', '--duration', '1s', '--workers', '1', '--quiet'].concat([
      '--repeat',
      String(runs),
      '--summary-json',
      base,
    ]),
    { timeoutMs: 30_000 * runs },
  );
  assert.equal(r.code, 0, describeResult(r));
  assert.match(r.stderr, new RegExp(`${runs} summaries written`));
  return Array.from({ length: runs }, (_, i) => dir.path(`${name}.${i + 1}.json`));
}

async function compare(baseline: string[], candidate: string[], extra: string[] = []) {
  const json = dir.path(`result-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(
    ['compare', '--baseline', ...baseline, '--candidate', ...candidate, '--json', json, ...extra],
    { timeoutMs: 30_000 },
  );
  const result: ComparisonResult | undefined =
    r.code === 0 || r.code === 99
      ? comparisonResultSchema.parse(JSON.parse(readFileSync(json, 'utf8')))
      : undefined;
  return { r, result };
}

function row(result: ComparisonResult | undefined, metric: string, statistic: string) {
  const found = result?.rows.find((x) => x.metric === metric && x.statistic === statistic);
  assert.ok(found, `row ${metric}:${statistic}`);
  return found;
}

let a1: string[] = [];
let a2: string[] = [];
let slower: string[] = [];
let faster: string[] = [];

before(async () => {
  // 40 ms against 50 ms and 30 ms: ±25% of the target's delay.
  const [base, same, slow, fast] = await Promise.all([
    target(40),
    target(40),
    target(50),
    target(30),
  ]);
  a1 = await measure('a1', base);
  a2 = await measure('a2', same);
  slower = await measure('slower', slow);
  faster = await measure('faster', fast);
});

after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  dir.cleanup();
});

test('A/A (same delay): no regression, exit 0', async () => {
  const { r, result } = await compare(a1, a2, ['--metric', 'http_req_duration']);
  assert.equal(r.code, 0, describeResult(r));
  for (const x of result?.rows ?? []) assert.notEqual(x.verdict, 'regression', x.reason);
  assert.match(r.stdout, /http_req_duration\s+p50/);
});

test('+25% delay: regression with the change interval holding +25%, exit 99', async () => {
  const { r, result } = await compare(a1, slower, ['--metric', 'http_req_duration:p50']);
  assert.equal(r.code, 99, describeResult(r));
  const p50 = row(result, 'http_req_duration', 'p50');
  assert.equal(p50.verdict, 'regression', p50.reason);
  // The target's delay grew 25%; the client's fixed overhead (~1 ms) makes the latency grow a
  // little less, so the interval must reach within 3 points of +25%.
  assert.ok(p50.change !== null && p50.change.low !== null && p50.change.high !== null);
  assert.ok(p50.change.low <= 25 && p50.change.high >= 22, JSON.stringify(p50.change));
  assert.match(r.stdout, /regression/);
});

test('−25% delay: improvement, exit 0', async () => {
  const { r, result } = await compare(a1, faster, ['--metric', 'http_req_duration:p50']);
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(row(result, 'http_req_duration', 'p50').verdict, 'improvement');
});

test('a jittery target at k = 3: inconclusive with the MDE shown', async () => {
  const noisy = await target(5, 200);
  const x = await measure('jitter-a', noisy, 3);
  const y = await measure('jitter-b', noisy, 3);
  const { r, result } = await compare(x, y, ['--metric', 'http_req_duration:p99']);
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(row(result, 'http_req_duration', 'p99').verdict, 'inconclusive');
  assert.match(r.stdout, /inconclusive\s+(±[\d.]+%|none at this k)/);
  assert.match(r.stdout, /MDE: the smallest change/);
});

test('fewer than 3 runs a side: inconclusive "too few runs", not a crash', async () => {
  const { r, result } = await compare(a1.slice(0, 2), slower.slice(0, 2));
  assert.equal(r.code, 0, describeResult(r));
  assert.ok(result && result.rows.every((x) => x.verdict === 'inconclusive'));
  assert.match(r.stdout, /too few runs \(need ≥ 3\)/);
});

test('globs expand in natural order', async () => {
  const { r, result } = await compare([dir.path('a1.*.json')], [dir.path('a2.*.json')]);
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(result?.baseline.runs, RUNS);
  assert.deepEqual(result?.baseline.sources, a1);
});

test('bad input: truncated file, foreign JSON, unknown metric, mismatched tests, no candidate', async () => {
  const truncated = dir.path('truncated.json');
  writeFileSync(truncated, readFileSync(a1[0] as string, 'utf8').slice(0, 200));
  let { r } = await compare([truncated, ...a1.slice(1)], a2);
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /truncated\.json" is not valid JSON/);

  const foreign = dir.path('foreign.json');
  const bad = JSON.parse(readFileSync(a1[0] as string, 'utf8')) as Record<string, unknown>;
  bad['durationMs'] = 'long';
  writeFileSync(foreign, JSON.stringify(bad));
  ({ r } = await compare([foreign, ...a1.slice(1)], a2));
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /foreign\.json" is not a valid run summary: durationMs/);

  ({ r } = await compare(a1, a2, ['--metric', 'http_req_duraton:p99']));
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /http_req_duraton/);
  assert.match(r.stderr, /available:[\s\S]*http_req_duration:p99/);

  const other = dir.path('other-test.json');
  const renamed = JSON.parse(readFileSync(a2[0] as string, 'utf8')) as {
    scenarios: Record<string, unknown>;
  };
  renamed.scenarios = { checkout: Object.values(renamed.scenarios)[0] };
  writeFileSync(other, JSON.stringify(renamed));
  ({ r } = await compare(a1, [other, ...a2.slice(1)]));
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /TEST_MISMATCH/);

  const none = await runCli(['compare', '--baseline', ...a1], { timeoutMs: 30_000 });
  assert.equal(none.code, 2, describeResult(none));
  assert.match(none.stderr, /--candidate/);
});
