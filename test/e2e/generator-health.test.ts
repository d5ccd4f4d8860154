// The saturation warning (issue 10 item 15): an idle run is not flagged (its start-up interval is
// outside the health window), a run whose load worker is really saturated is.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { describeResult, readSummary, runCli, tempDir } from './harness.ts';

const tmp = tempDir({
  'idle.ts': `import { sleep } from 'stampede';
export const options = { vus: 2, duration: '4s' };
export default async function () { await sleep(0.2); }
`,
  // Each iteration holds the worker's event loop for 300 ms, then yields: CPU and event-loop
  // delay saturate in every interval.
  'busy.ts': `import { sleep } from 'stampede';
export const options = { vus: 1, duration: '4s' };
export default async function () {
  const until = performance.now() + 300;
  while (performance.now() < until) {}
  await sleep(0.001);
}
`,
  // Never yields to timers: the whole run is one interval whose event loop was blocked for seconds.
  'stuck.ts': `export const options = { vus: 1, duration: '3s' };
export default async function () {
  const until = performance.now() + 300;
  while (performance.now() < until) {}
}
`,
});
after(() => tmp.cleanup());

async function generatorOf(file: string) {
  const json = tmp.path(`${file}.summary.json`);
  const r = await runCli(
    ['run', tmp.path(file), '--workers', '1', '--summary-json', json, '--quiet'],
    {
      timeoutMs: 30_000,
    },
  );
  assert.equal(r.code, 0, describeResult(r));
  return { r, generator: readSummary(json).generator };
}

test('an idle run is not flagged as saturated', async () => {
  const { r, generator } = await generatorOf('idle.ts');
  assert.equal(generator.saturated, false, `${generator.reasons.join('; ')}\n${describeResult(r)}`);
  assert.doesNotMatch(r.stdout, /SATURATED/);
});

for (const file of ['busy.ts', 'stuck.ts'])
  test(`a run whose load worker is busy the whole time is flagged (${file})`, async () => {
    const { r, generator } = await generatorOf(file);
    assert.equal(generator.saturated, true, describeResult(r));
    assert.ok(
      generator.reasons.some((x) => /event-loop delay p99|CPU of load worker/.test(x)),
      generator.reasons.join('; '),
    );
    assert.match(r.stdout, /THE LOAD GENERATOR WAS SATURATED/);
  });
