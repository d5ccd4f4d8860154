// Issue 10 items 4 and 18: quick mode's safety-net threshold, the always-printed errors table
// (by error code and by HTTP status), and the per-endpoint table, in text and --summary-json.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  describeResult,
  readSummary,
  runCli,
  startRecordingTarget,
  tempDir,
  type RecordingTarget,
} from './harness.ts';

let target: RecordingTarget;
const tmp = tempDir();
before(async () => {
  target = await startRecordingTarget((req, res) => {
    if (!req.path.startsWith('/fail')) return false;
    res.writeHead(503);
    res.end('down');
    return true;
  });
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('quick mode, every request 503: exit 99, not "passed", errors table by status', async () => {
  const summaryPath = tmp.path('quick-503.json');
  const r = await runCli([
    'run',
    '--url',
    `${target.url}/fail`,
    '--iterations',
    '12',
    '--workers',
    '1',
    '--quiet',
    '--summary-json',
    summaryPath,
  ]);
  assert.equal(r.code, 99, describeResult(r));
  assert.doesNotMatch(r.stdout, /RESULT: passed/);
  assert.match(r.stdout, /http_req_failed[\s\S]*rate<0\.01/, 'the safety-net threshold is shown');
  assert.match(r.stdout, /ERRORS\s+12 failed requests[\s\S]*HTTP 503\s+12/, r.stdout);
  const s = readSummary(summaryPath);
  assert.equal(s.result, 'failed');
  assert.deepEqual(s.errors, {
    failedRequests: 12,
    byErrorCode: [],
    byStatus: [{ status: 503, count: 12 }],
  });
});

test('quick mode, connection refused: the errors table names ECONNREFUSED with its count', async () => {
  const summaryPath = tmp.path('quick-refused.json');
  const port = await closedPort();
  const r = await runCli(
    [
      'run',
      '--url',
      `http://127.0.0.1:${port}/`,
      '--iterations',
      '4',
      '--workers',
      '1',
      '--quiet',
      '--summary-json',
      summaryPath,
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(r.code, 99, describeResult(r));
  assert.match(r.stdout, /ECONNREFUSED\s+4\s+connection refused/, r.stdout);
  const s = readSummary(summaryPath);
  assert.equal(s.errors?.byErrorCode[0]?.code, 'ECONNREFUSED');
  assert.equal(s.errors?.byErrorCode[0]?.count, 4);
});

test('a clean run prints the errors table too, with no failed requests', async () => {
  const r = await runCli([
    'run',
    '--url',
    `${target.url}/ok`,
    '--iterations',
    '3',
    '--workers',
    '1',
    '--quiet',
  ]);
  assert.equal(r.code, 0, describeResult(r));
  assert.match(r.stdout, /ERRORS\s+no failed requests/);
});

test('per-endpoint table: one row per name tag, unnamed URLs by method + template', async () => {
  const file = tmp.path('endpoints.ts');
  writeFileSync(
    file,
    `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 5 } } };
export default async function () {
  await http.get(__ENV.TARGET + '/home', { tags: { name: 'home' } });
  await http.get(__ENV.TARGET + '/users/' + (__ITER + 100) + '?x=' + __VU);
  await http.get(__ENV.TARGET + '/users/' + (__ITER + 100) + '?x=' + __VU);
  await http.post(__ENV.TARGET + '/fail/' + __ITER, 'x');
}
`,
  );
  const summaryPath = tmp.path('endpoints.json');
  const r = await runCli(
    ['run', file, '--quiet', '--workers', '1', '--summary-json', summaryPath],
    {
      env: { TARGET: target.url },
    },
  );
  assert.equal(r.code, 0, describeResult(r));
  const s = readSummary(summaryPath);
  const rows = Object.fromEntries((s.endpoints ?? []).map((e) => [`${e.method} ${e.name}`, e]));
  assert.deepEqual(
    Object.keys(rows).sort(),
    [`GET ${target.url}/users/{id}`, 'GET home', `POST ${target.url}/fail/{id}`].sort(),
  );
  const users = rows[`GET ${target.url}/users/{id}`];
  assert.equal(users?.requests, 20);
  assert.equal(users?.failures, 0);
  assert.equal(rows['GET home']?.requests, 10);
  assert.equal(rows[`POST ${target.url}/fail/{id}`]?.failures, 10);
  for (const e of s.endpoints ?? []) {
    assert.ok(e.p50Ms > 0 && e.p50Ms <= e.p95Ms && e.p95Ms <= e.p99Ms, JSON.stringify(e));
    assert.ok(e.ratePerSec > 0);
  }
  assert.match(r.stdout, /ENDPOINTS\s+endpoint\s+reqs\s+fail\s+p50\s+p95\s+p99\s+rate/);
  assert.match(r.stdout, /GET home\s+10\s+0\s/);
  assert.match(r.stdout, new RegExp(`GET ${target.url}/users/\\{id\\}\\s+20\\s+0\\s`));
});
