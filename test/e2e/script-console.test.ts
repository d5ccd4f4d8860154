// A script's console output goes to stderr (issue 10 item 6): `stampede run t.ts > result.txt`
// captures the summary alone, and lines logged by an iteration name their scenario and VU.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  describeResult,
  runCli,
  startRecordingTarget,
  tempDir,
  type RecordingTarget,
} from './harness.ts';

let target: RecordingTarget;
const tmp = tempDir({
  'logs.ts': `import { http } from 'stampede';
export const options = { vus: 1, iterations: 2 };
console.log('init-line %d', 42);
export function setup() { console.info('setup-line'); }
export default async function () {
  await http.get(__ENV.TARGET + '/hit');
  console.log('iteration-line', { n: 1 });
  console.warn('warn-line');
}
`,
});
before(async () => {
  target = await startRecordingTarget();
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

test('script console output goes to stderr, iteration lines prefixed with scenario and VU', async () => {
  const r = await runCli(['run', tmp.path('logs.ts'), '--env', `TARGET=${target.url}`]);
  assert.equal(r.code, 0, describeResult(r));
  assert.doesNotMatch(r.stdout, /init-line|setup-line|iteration-line|warn-line/, describeResult(r));
  assert.match(r.stdout, /RESULT: passed/, describeResult(r));
  assert.match(r.stderr, /^init-line 42$/m, describeResult(r));
  assert.match(r.stderr, /^setup-line$/m, describeResult(r));
  assert.match(r.stderr, /^\[default vu=1\] iteration-line \{ n: 1 \}$/m, describeResult(r));
  assert.match(r.stderr, /^\[default vu=1\] warn-line$/m, describeResult(r));
});
