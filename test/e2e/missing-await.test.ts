// Issue 10 item 2: a k6 script ported with only its imports renamed, `await` forgotten, must not
// pass green with nothing measured: the run fails (exit 107) naming the line ("missing await?").
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
  target = await startRecordingTarget();
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

async function run(name: string, body: string) {
  const file = tmp.path(`${name}.ts`);
  writeFileSync(
    file,
    `import { http, check, sleep } from 'stampede';
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '3s' } },
  thresholds: { http_req_duration: ['p(95)<500'] },
};
export default async function () {
${body}
}
`,
  );
  const summaryPath = tmp.path(`${name}.json`);
  const r = await runCli(
    ['run', file, '--quiet', '--workers', '1', '--summary-json', summaryPath],
    {
      env: { TARGET: target.url },
      timeoutMs: 30_000,
    },
  );
  return { r, summary: readSummary(summaryPath) };
}

test('check() of an un-awaited http.get(): exit 107, the line named, "missing await?"', async () => {
  const { r, summary } = await run(
    'check-promise',
    `  const res = http.get(__ENV.TARGET + '/x');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);`,
  );
  assert.equal(r.code, 107, describeResult(r));
  assert.match(r.stderr, /missing await\?/, r.stderr);
  assert.match(r.stderr, /check-promise\.ts:8:\d+/, 'names the check() line');
  assert.equal(summary.result, 'aborted');
  assert.match(summary.abortReason ?? '', /missing await/);
});

test('sleep() without await: exit 107 naming the line', async () => {
  const { r } = await run(
    'sleep-promise',
    `  await http.get(__ENV.TARGET + '/y');
  sleep(0.01);`,
  );
  assert.equal(r.code, 107, describeResult(r));
  assert.match(
    r.stderr,
    /sleep\(\) returned a Promise that the iteration never awaited: missing await\?/,
  );
  assert.match(r.stderr, /sleep-promise\.ts:8:\d+/, r.stderr);
});

test('awaited calls, Promise.all and .then chains are fine', async () => {
  const { r, summary } = await run(
    'awaited',
    `  const res = await http.get(__ENV.TARGET + '/z');
  check(res, { ok: (x) => x.status === 200 });
  await Promise.all([http.get(__ENV.TARGET + '/z'), sleep(0.01)]);
  await http.get(__ENV.TARGET + '/z').then((x) => x.status);
  await sleep(0.05);`,
  );
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(summary.result, 'passed');
});

test('a threshold whose metric got no data in a run with iterations is reported loudly', async () => {
  const file = tmp.path('nodata.ts');
  writeFileSync(
    file,
    `import { http } from 'stampede';
export const options = {
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 3 } },
  thresholds: { 'http_req_duration{name:typo}': ['p(95)<500'] },
};
export default async function () { await http.get(__ENV.TARGET + '/nodata'); }
`,
  );
  const r = await runCli(['run', file, '--quiet', '--workers', '1'], {
    env: { TARGET: target.url },
  });
  assert.equal(r.code, 0, describeResult(r));
  assert.match(
    r.stdout,
    /WARNING: threshold http_req_duration\{name:typo\} got no data in 3 iterations/,
    r.stdout,
  );
});
