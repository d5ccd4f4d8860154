// Issue 10 item 3: an async helper called without `await` that throws used to crash the load
// worker and abort the run (exit 1, no line number). It is an iteration error now: logged with
// the script location, and the run goes on.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  counterOf,
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

test('an un-awaited async helper that throws: logged with its line, the run continues', async () => {
  const file = tmp.path('helper.ts');
  writeFileSync(
    file,
    `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 40 } } };
async function helper(): Promise<void> {
  throw new Error('boom in helper');
}
export default async function () {
  helper();
  await http.get(__ENV.TARGET + '/after-helper');
}
`,
  );
  const summaryPath = tmp.path('helper.json');
  const r = await runCli(
    ['run', file, '--quiet', '--workers', '1', '--summary-json', summaryPath],
    {
      env: { TARGET: target.url },
    },
  );
  assert.equal(r.code, 0, describeResult(r));
  assert.match(r.stderr, /unhandled Promise rejection.*boom in helper/, r.stderr);
  assert.match(r.stderr, /helper\.ts:4:\d+/, 'names the line of the throw');
  const s = readSummary(summaryPath);
  assert.equal(s.result, 'passed');
  assert.equal(counterOf(s, 'http_reqs'), 40);
  assert.equal(target.count('/after-helper'), 40);
});
