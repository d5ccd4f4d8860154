// `npm test`: typecheck, lint and format check, then unit tests (beside the code) and process-level
// tests (test/e2e). Stops at the first failing step and exits with its code.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const steps: [string, string, string[]][] = [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json']],
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '.']],
  [
    'unit tests',
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-reporter=spec', 'packages/*/src/**/*.test.ts'],
  ],
  [
    'e2e tests',
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', 'test/e2e/*.test.ts'],
  ],
];
const only = process.argv[2];
for (const [name, cmd, args] of steps) {
  if (only && !name.startsWith(only)) continue;
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  process.stdout.write(
    `== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
