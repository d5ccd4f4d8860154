// Ctrl-C: the first SIGINT stops gracefully (within gracefulStop) and prints the summary with
// exit 105; a second SIGINT stops at once, even when iterations are stuck on requests.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  delay,
  describeResult,
  readSummary,
  spawnCli,
  startHangingTarget,
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

/** Waits until `cond` holds, polling; fails after `ms`. */
async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

test('first SIGINT: summary printed, exit 105 within gracefulStop, no request after exit', async () => {
  const file = tmp.path('long.ts');
  writeFileSync(
    file,
    `import { http, sleep } from 'stampede';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 3, duration: '30s', gracefulStop: '1s' } } };
export default async function () { await http.get(__ENV.TARGET + '/sig'); await sleep(0.01); }
`,
  );
  const summaryPath = tmp.path('sigint.json');
  const p = spawnCli(['run', file, '--quiet', '--workers', '1', '--summary-json', summaryPath], {
    env: { TARGET: target.url },
    timeoutMs: 25_000,
  });
  await waitFor(() => target.count('/sig') > 0, 15_000, 'the first request');
  await delay(2000);
  const sentAt = performance.now();
  p.child.kill('SIGINT');
  const r = await p.result;
  const stopMs = performance.now() - sentAt;
  assert.equal(r.code, 105, describeResult(r));
  // gracefulStop is 1 s; allow process teardown and a loaded machine on top.
  assert.ok(stopMs < 4000, `exited ${stopMs.toFixed(0)} ms after SIGINT (gracefulStop 1s)`);
  assert.match(r.stdout, /http_reqs/, 'summary printed');
  const s = readSummary(summaryPath);
  assert.equal(s.result, 'aborted');
  assert.ok(s.durationMs < 10_000, `summary durationMs ${s.durationMs}`);
  const atExit = target.count('/sig');
  await delay(500);
  assert.equal(target.count('/sig'), atExit, 'requests arrived after the process exited');
});

test('second SIGINT stops at once even with an iteration stuck on a request', async () => {
  // A target that accepts and never answers.
  const hang = await startHangingTarget();
  const { sockets } = hang;
  const hangUrl = hang.url;
  const file = tmp.path('stuck.ts');
  writeFileSync(
    file,
    `import { http } from 'stampede';
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '30s', gracefulStop: '30s' } },
  httpTimeout: '60s',
};
export default async function () {
  await http.get(__ENV.TARGET + '/before-hang');
  await http.get(__ENV.HANG + '/hang');
}
`,
  );
  const p = spawnCli(['run', file, '--quiet', '--workers', '1'], {
    env: { TARGET: target.url, HANG: hangUrl },
    timeoutMs: 25_000,
  });
  try {
    await waitFor(() => sockets.size >= 2, 15_000, 'both VUs stuck on the hanging target');
    await delay(300);
    p.child.kill('SIGINT');
    await delay(700);
    assert.equal(p.child.exitCode, null, 'still running after the first SIGINT (graceful 30s)');
    const sentAt = performance.now();
    p.child.kill('SIGINT');
    const r = await p.result;
    const stopMs = performance.now() - sentAt;
    assert.equal(r.code, 105, describeResult(r));
    assert.ok(stopMs < 2500, `exited ${stopMs.toFixed(0)} ms after the second SIGINT`);
    assert.match(r.stdout, /http_reqs/, 'summary printed');
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await hang.close();
  }
});
