// `npm run demo`: starts the bundled echo target on 127.0.0.1, runs examples/tests/basic.ts
// against it for 5 seconds through the real CLI, stops the target and exits with the test's code.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = spawn(process.execPath, ['examples/targets/echo-server.ts', '--port', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const [url] = (await once(createInterface({ input: target.stdout }), 'line')) as [string];
  process.stderr.write(`echo target listening on ${url}\n`);
  const run = spawn(
    process.execPath,
    [
      'packages/cli/bin/stampede.js',
      'run',
      'examples/tests/basic.ts',
      '--duration',
      '5s',
      '--env',
      `TARGET=${url}`,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  const [code] = (await once(run, 'exit')) as [number | null];
  process.exitCode = code ?? 1;
} finally {
  target.kill();
}
