// Start-up cost of the CLI (issue 10 item 17): commands are imported lazily, so `--help` and
// `version` load none of the engine, agent, controller or store. Timings live in bench/startup.ts.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { describeResult, REPO, runCli } from './harness.ts';

const TRACE = pathToFileURL(`${REPO}/test/e2e/module-trace.ts`).href;

/** Stampede packages the command loaded, from module-trace.ts's lines on stderr. */
function loadedPackages(stderr: string): string[] {
  return [...stderr.matchAll(/^module-trace: (\S+)$/gm)].map((m) => m[1] as string).sort();
}

for (const args of [['--help'], ['version'], ['no-such-command']]) {
  test(`stampede ${args.join(' ')} imports no command module`, async () => {
    const r = await runCli(args, { env: { NODE_OPTIONS: `--import ${TRACE}` } });
    assert.ok(!r.timedOut, describeResult(r));
    assert.deepEqual(loadedPackages(r.stderr), ['cli'], describeResult(r));
  });
}

test('stampede run --help loads the engine (the trace sees what a command imports)', async () => {
  const r = await runCli(['run', '--help'], { env: { NODE_OPTIONS: `--import ${TRACE}` } });
  assert.equal(r.code, 0, describeResult(r));
  assert.ok(loadedPackages(r.stderr).includes('engine'), describeResult(r));
});
