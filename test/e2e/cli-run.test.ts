// `stampede run` end to end: quick mode flags, declarative files, scripts with setup/teardown,
// env, npm packages, data files, custom metrics, checks, groups, workers, NDJSON and scenarios.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  counterOf,
  describeResult,
  rateOf,
  readNdjson,
  readSummary,
  runCli,
  startRecordingTarget,
  sumCounter,
  tempDir,
  trendOf,
  type RecordingTarget,
} from './harness.ts';

let target: RecordingTarget;
const tmp = tempDir();
before(async () => {
  target = await startRecordingTarget();
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

/** Runs the CLI in the temp dir and returns the summary; asserts exit 0. */
async function runOk(args: string[], name: string, env: Record<string, string> = {}) {
  const summaryPath = tmp.path(`${name}.summary.json`);
  const r = await runCli(['run', ...args, '--quiet', '--summary-json', summaryPath], {
    cwd: tmp.dir,
    env: { TARGET: target.url, ...env },
  });
  assert.equal(r.code, 0, describeResult(r));
  return { r, summary: readSummary(summaryPath) };
}

/** Writes a file into the temp dir and returns its path. */
async function write(name: string, text: string): Promise<string> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(tmp.path(name)), { recursive: true });
  writeFileSync(tmp.path(name), text);
  return tmp.path(name);
}

test('quick mode --url --vus --duration: requests reach the target and are counted', async () => {
  const before = target.count('/quick');
  const { summary } = await runOk(
    ['--url', `${target.url}/quick`, '--vus', '2', '--duration', '2s', '--workers', '1'],
    'quick',
  );
  const seen = target.count('/quick') - before;
  assert.ok(seen > 10, `target saw only ${seen} requests`);
  assert.equal(counterOf(summary, 'http_reqs'), seen);
  assert.equal(summary.result, 'passed');
  assert.equal(Object.values(summary.scenarios)[0]?.executor, 'constant-vus');
});

test('quick mode --iterations: exactly N requests', async () => {
  const before = target.count('/iters');
  const { summary } = await runOk(
    ['--url', `${target.url}/iters`, '--iterations', '37', '--vus', '3', '--workers', '2'],
    'iters',
  );
  assert.equal(target.count('/iters') - before, 37);
  assert.equal(counterOf(summary, 'http_reqs'), 37);
  assert.equal(counterOf(summary, 'iterations'), 37);
});

test('quick mode --rate: about rate x duration requests', async () => {
  const before = target.count('/rate');
  const { summary } = await runOk(
    ['--url', `${target.url}/rate`, '--rate', '50', '--duration', '2s', '--workers', '1'],
    'rate',
  );
  const seen = target.count('/rate') - before;
  assert.ok(Math.abs(seen - 100) <= 3, `target saw ${seen}, expected ~100`);
  assert.equal(counterOf(summary, 'http_reqs'), seen);
  assert.equal(Object.values(summary.scenarios)[0]?.executor, 'constant-arrival-rate');
});

test('quick mode --method POST --body --header reach the target', async () => {
  const before = target.seen.length;
  await runOk(
    [
      '--url',
      `${target.url}/post`,
      '--method',
      'POST',
      '--body',
      'x',
      '--header',
      'X-A: b',
      '--iterations',
      '3',
      '--workers',
      '1',
    ],
    'post',
  );
  const got = target.seen.slice(before).filter((s) => s.path === '/post');
  assert.equal(got.length, 3);
  for (const s of got) {
    assert.equal(s.method, 'POST');
    assert.equal(s.body, 'x');
    assert.equal(s.headers['x-a'], 'b');
  }
});

const DECL = {
  options: { iterations: 4, vus: 2 },
  requests: [
    { method: 'GET', url: 'URL/decl/a', name: 'first', expectStatus: 200 },
    {
      method: 'POST',
      url: 'URL/decl/b',
      headers: { 'X-Decl': 'yes' },
      json: { hello: 'world' },
      expectStatus: 200,
    },
    { method: 'PUT', url: 'URL/decl/c', body: 'raw', expectStatus: 201 },
  ],
};

for (const format of ['yaml', 'json'] as const) {
  test(`declarative .${format} request list runs each request per iteration`, async () => {
    const text = JSON.stringify(DECL, null, 2).replaceAll('URL', target.url);
    // JSON is valid YAML; write YAML in block style anyway for the .yaml case.
    const body =
      format === 'json'
        ? text
        : `options:\n  iterations: 4\n  vus: 2\nrequests:\n  - method: GET\n    url: ${target.url}/decl/a\n    name: first\n    expectStatus: 200\n  - method: POST\n    url: ${target.url}/decl/b\n    headers:\n      X-Decl: "yes"\n    json: { hello: world }\n    expectStatus: 200\n  - method: PUT\n    url: ${target.url}/decl/c\n    body: raw\n    expectStatus: 201\n`;
    const file = await write(`decl-${format}.${format}`, body);
    const before = target.seen.length;
    const { summary } = await runOk([file, '--workers', '1'], `decl-${format}`);
    const got = target.seen.slice(before);
    assert.equal(got.filter((s) => s.path === '/decl/a' && s.method === 'GET').length, 4);
    const posts = got.filter((s) => s.path === '/decl/b');
    assert.equal(posts.length, 4);
    for (const p of posts) {
      assert.equal(p.method, 'POST');
      assert.deepEqual(JSON.parse(p.body), { hello: 'world' });
      assert.equal(p.headers['x-decl'], 'yes');
      assert.match(String(p.headers['content-type']), /application\/json/);
    }
    assert.equal(got.filter((s) => s.path === '/decl/c' && s.body === 'raw').length, 4);
    const checks = Object.fromEntries(summary.checks.map((c) => [c.name, c]));
    assert.equal(checks['first status is 200']?.passes, 4);
    // The target answers 200, so the expectStatus 201 check fails every time.
    const put = summary.checks.find((c) => c.name.endsWith('status is 201'));
    assert.equal(put?.fails, 4);
  });
}

test('script: setup() data reaches iterations, teardown runs, --env is visible', async () => {
  const file = await write(
    'lifecycle.ts',
    `import { http, env } from 'stampede';
export const options = { iterations: 5, vus: 1 };
interface Data { token: string }
export async function setup(): Promise<Data> {
  await http.get(__ENV.TARGET + '/life/setup');
  return { token: 'tok-' + env.K };
}
export default async function (data: Data) {
  await http.get(__ENV.TARGET + '/life/iter?token=' + data.token + '&env=' + __ENV.K + '&env2=' + env.K);
}
export async function teardown(data: Data) {
  await http.get(__ENV.TARGET + '/life/teardown?token=' + data.token);
}
`,
  );
  const before = target.seen.length;
  await runOk([file, '--env', 'K=V1', '--workers', '1'], 'lifecycle');
  const got = target.seen.slice(before).map((s) => s.path);
  assert.deepEqual(
    got.filter((p) => p.startsWith('/life/setup')),
    ['/life/setup'],
  );
  const iters = got.filter((p) => p.startsWith('/life/iter'));
  assert.equal(iters.length, 5);
  for (const p of iters) assert.equal(p, '/life/iter?token=tok-V1&env=V1&env2=V1');
  assert.deepEqual(
    got.filter((p) => p.startsWith('/life/teardown')),
    ['/life/teardown?token=tok-V1'],
  );
  assert.equal(got.at(-1), '/life/teardown?token=tok-V1', 'teardown runs last');
  assert.equal(got[0], '/life/setup', 'setup runs first');
});

test('script imports an npm package installed next to it', async () => {
  await write(
    'npm/node_modules/left-pad-lite/package.json',
    JSON.stringify({ name: 'left-pad-lite', version: '1.0.0', main: 'index.js' }),
  );
  await write(
    'npm/node_modules/left-pad-lite/index.js',
    `module.exports = function leftPad(s, n, c) { s = String(s); while (s.length < n) s = (c || ' ') + s; return s; };\n`,
  );
  const file = await write(
    'npm/script.js',
    `import { http, vu } from 'stampede';
import leftPad from 'left-pad-lite';
export const options = { iterations: 2, vus: 1 };
export default async function () { await http.get(__ENV.TARGET + '/npm/' + leftPad('7', 4, '0')); }
`,
  );
  const before = target.seen.length;
  await runOk([file, '--workers', '1'], 'npm');
  assert.deepEqual(
    target.seen.slice(before).map((s) => s.path),
    ['/npm/0007', '/npm/0007'],
  );
});

test('data: SharedArray over JSON and parseCsv(open(...)) feed iterations', async () => {
  await write('data/items.json', JSON.stringify([{ id: 'a' }, { id: 'b' }, { id: 'c' }]));
  await write('data/users.csv', 'name,age\nann,31\nbob,42\n');
  const file = await write(
    'data/script.ts',
    `import { http, open, SharedArray } from 'stampede';
import { parseCsv } from 'stampede/data';
export const options = { iterations: 6, vus: 1 };
const items = new SharedArray('items', () => JSON.parse(open('./items.json')));
const users = parseCsv(open('./users.csv') as string) as { name: string; age: string }[];
let i = 0;
export default async function () {
  const item = items[i % items.length] as { id: string };
  const user = users[i % users.length]!;
  i++;
  await http.get(__ENV.TARGET + '/data/' + item.id + '/' + user.name + '-' + user.age + '/' + Object.isFrozen(item));
}
`,
  );
  const before = target.seen.length;
  await runOk([file, '--workers', '1'], 'data');
  const paths = target.seen.slice(before).map((s) => s.path);
  assert.deepEqual(paths, [
    '/data/a/ann-31/true',
    '/data/b/bob-42/true',
    '/data/c/ann-31/true',
    '/data/a/bob-42/true',
    '/data/b/ann-31/true',
    '/data/c/bob-42/true',
  ]);
});

test('custom metrics, checks and groups appear in the summary', async () => {
  const file = await write(
    'metrics.ts',
    `import { http, check, group } from 'stampede';
import { Counter, Gauge, Rate, Trend } from 'stampede/metrics';
export const options = { iterations: 10, vus: 2 };
const myCounter = new Counter('my_counter');
const myGauge = new Gauge('my_gauge');
const myRate = new Rate('my_rate');
const myTrend = new Trend('my_trend', true);
export default async function () {
  myCounter.add(2);
  myGauge.add(7);
  myRate.add(true);
  myTrend.add(42);
  await group('outer', async () => {
    await group('inner', async () => {
      const res = await http.get(__ENV.TARGET + '/metrics');
      check(res, { 'is 200': (r) => r.status === 200, 'is 404': (r) => r.status === 404 });
    });
  });
  check(1, { 'top level': () => true });
}
`,
  );
  const { summary } = await runOk([file, '--workers', '1'], 'metrics');
  assert.equal(counterOf(summary, 'my_counter'), 20);
  const gauge = summary.metrics['my_gauge'];
  assert.ok(gauge?.type === 'gauge', 'my_gauge missing');
  assert.equal(gauge.values.value, 7);
  assert.deepEqual(rateOf(summary, 'my_rate'), { rate: 1, passes: 10, fails: 0 });
  const t = trendOf(summary, 'my_trend');
  assert.equal(t.count, 10);
  assert.ok(Math.abs(t.p50 - 42) < 0.5, `my_trend p50 ${t.p50}`);
  const checks = summary.checks.map((c) => `${c.group}|${c.name}|${c.passes}|${c.fails}`).sort();
  assert.deepEqual(checks, [
    '::outer::inner|is 200|10|0',
    '::outer::inner|is 404|0|10',
    '|top level|10|0',
  ]);
  const checksRate = summary.metrics['checks'];
  assert.ok(checksRate?.type === 'rate');
  assert.equal(checksRate.values.passes, 20);
  assert.equal(checksRate.values.fails, 10);
  assert.ok(summary.metrics['group_duration'] !== undefined, 'group_duration missing');
});

test('--workers 2 with shared-iterations 100: exactly 100 requests', async () => {
  const file = await write(
    'shared.ts',
    `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 4, iterations: 100 } } };
export default async function () { await http.get(__ENV.TARGET + '/shared'); }
`,
  );
  const before = target.count('/shared');
  const { summary } = await runOk([file, '--workers', '2'], 'shared');
  assert.equal(target.count('/shared') - before, 100);
  assert.equal(counterOf(summary, 'http_reqs'), 100);
  assert.equal(summary.scenarios['s']?.iterations, 100);
  assert.equal(summary.generator.workers, 2);
});

test('--out json=FILE: NDJSON interval snapshots add up to the summary', async () => {
  const out = tmp.path('out.ndjson');
  const before = target.count('/ndjson');
  const { summary } = await runOk(
    [
      '--url',
      `${target.url}/ndjson`,
      '--rate',
      '100',
      '--duration',
      '3s',
      '--workers',
      '2',
      '--out',
      `json=${out}`,
    ],
    'ndjson',
  );
  const snaps = readNdjson(out);
  assert.ok(snaps.length >= 3, `only ${snaps.length} snapshot lines`);
  const total = sumCounter(snaps, 'http_reqs');
  assert.equal(total, counterOf(summary, 'http_reqs'));
  assert.equal(total, target.count('/ndjson') - before);
  // Per source, sequence numbers start at 0 without gaps.
  const bySource = new Map<string, number[]>();
  for (const s of snaps) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s.seq]);
  for (const [source, seqs] of bySource)
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i),
      `source ${source} sequence`,
    );
});

test('several scenarios with startTime run their own functions at their own times', async () => {
  const file = await write(
    'scenarios.ts',
    `import { http } from 'stampede';
export const options = {
  scenarios: {
    early: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'early' },
    late: { executor: 'per-vu-iterations', vus: 2, iterations: 3, startTime: '1500ms', exec: 'late' },
  },
};
export async function early() { await http.get(__ENV.TARGET + '/sc/early'); }
export async function late() { await http.get(__ENV.TARGET + '/sc/late'); }
`,
  );
  const before = target.seen.length;
  const { summary } = await runOk([file, '--workers', '1'], 'scenarios');
  const got = target.seen.slice(before);
  const early = got.filter((s) => s.path === '/sc/early');
  const late = got.filter((s) => s.path === '/sc/late');
  assert.equal(late.length, 6);
  assert.ok(early.length > 5);
  const lastEarly = Math.max(...early.map((s) => s.atMs));
  const firstEarly = Math.min(...early.map((s) => s.atMs));
  const firstLate = Math.min(...late.map((s) => s.atMs));
  assert.ok(firstLate > lastEarly, 'late scenario starts after the early one ended');
  assert.ok(
    firstLate - firstEarly >= 1400,
    `late started ${(firstLate - firstEarly).toFixed(0)} ms after early (startTime 1500ms)`,
  );
  assert.equal(summary.scenarios['late']?.iterations, 6);
  assert.equal(summary.scenarios['early']?.executor, 'constant-vus');
  assert.equal(counterOf(summary, 'http_reqs'), got.length);
});

test('--rate with --max-vus below 10 (no --vus) runs with that VU cap', async () => {
  const summaryPath = tmp.path('maxvus.json');
  const r = await runCli(
    [
      'run',
      '--url',
      `${target.url}/maxvus`,
      '--rate',
      '20',
      '--duration',
      '1s',
      '--max-vus',
      '2',
      '--workers',
      '1',
      '--quiet',
      '--summary-json',
      summaryPath,
    ],
    { cwd: tmp.dir },
  );
  assert.equal(r.code, 0, describeResult(r));
  const s = readSummary(summaryPath);
  const vusMax = s.metrics['vus_max'];
  assert.ok(vusMax?.type === 'gauge');
  assert.ok(vusMax.values.max <= 2, `vus_max ${vusMax.values.max} exceeds --max-vus 2`);
});
