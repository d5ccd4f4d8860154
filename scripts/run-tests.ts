// `npm test`: typecheck, lint and format check, then unit tests (beside the code) and process-level
// tests (test/e2e). Runs every step even after a failure, so one run shows everything that is
// broken; ends with the failed steps, one "N passed, N failed" line and a non-zero exit if any
// step failed. Each test has a time limit (`--test-timeout`) so a hang fails with the test's
// name instead of holding CI until its global limit; `--test-force-exit` ends a test file whose
// timed-out test left a handle open.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
/** Per-test limits, ms: far above what a test needs on a busy 2-core machine, far below CI's. */
const unitTestTimeoutMs = 60_000;
const e2eTestTimeoutMs = 240_000;
const testArgs = (concurrency: number, timeoutMs: number, ...globs: string[]): string[] => [
  '--test',
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${timeoutMs}`,
  '--test-force-exit',
  '--test-reporter=spec',
  ...globs,
];
const steps: [string, string, string[]][] = [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json']],
  ['typecheck web', bin('tsc'), ['-p', 'packages/web/tsconfig.json']],
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '.']],
  [
    'unit tests',
    process.execPath,
    testArgs(2, unitTestTimeoutMs, 'packages/*/src/**/*.test.ts', 'packages/web/app/**/*.test.ts'),
  ],
  ['e2e tests', process.execPath, testArgs(1, e2eTestTimeoutMs, 'test/e2e/*.test.ts')],
];

/** Runs a command, echoing its output, and returns its exit code and output. */
function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      process.stdout.write(c);
    });
    child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const only = process.argv[2];
let passed = 0;
let failed = 0;
let exitCode = 0;
const failedSteps: string[] = [];
for (const [name, cmd, args] of steps) {
  if (only && !name.startsWith(only)) continue;
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const { code, output } = await run(cmd, args);
  const stepPassed = Number(/^ℹ pass (\d+)$/m.exec(output)?.[1] ?? 0);
  const stepFailed = Number(/^ℹ fail (\d+)$/m.exec(output)?.[1] ?? 0);
  const stepCancelled = Number(/^ℹ cancelled (\d+)$/m.exec(output)?.[1] ?? 0);
  passed += stepPassed;
  // A step that failed without a test count (typecheck, lint) counts as one failure; cancelled
  // tests (timed out) are failures too.
  failed += stepFailed + stepCancelled || (code === 0 ? 0 : 1);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`== ${name}: ${code === 0 ? 'ok' : 'FAILED'} in ${seconds}s\n`);
  if (code !== 0) {
    exitCode = code;
    failedSteps.push(name);
  }
}
if (failedSteps.length > 0) process.stdout.write(`\nFailed steps: ${failedSteps.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(exitCode);
