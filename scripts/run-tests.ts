// `npm test`: typecheck, lint and format check, then unit tests (beside the code) and process-level
// tests (test/e2e). Stops at the first failing step; ends with one "N passed, N failed" line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const testArgs = (concurrency: number, ...globs: string[]): string[] => [
  '--test',
  `--test-concurrency=${concurrency}`,
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
    testArgs(2, 'packages/*/src/**/*.test.ts', 'packages/web/app/**/*.test.ts'),
  ],
  ['e2e tests', process.execPath, testArgs(1, 'test/e2e/*.test.ts')],
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
for (const [name, cmd, args] of steps) {
  if (only && !name.startsWith(only)) continue;
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const { code, output } = await run(cmd, args);
  passed += Number(/^ℹ pass (\d+)$/m.exec(output)?.[1] ?? 0);
  failed += Number(/^ℹ fail (\d+)$/m.exec(output)?.[1] ?? 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`== ${name}: ${code === 0 ? 'ok' : 'FAILED'} in ${seconds}s\n`);
  if (code !== 0) {
    exitCode = code;
    if (failed === 0) failed = 1;
    break;
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(exitCode);
