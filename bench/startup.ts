// Start-up time of the CLI (issue 10 item 17): `stampede --help` and a one-iteration quick run,
// each started as CI starts it (a fresh process through bin/stampede.js), timed from spawn to
// exit. Prints the median and range of N runs per case; the targets are < 200 ms and < 1 s.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../packages/cli/bin/stampede.js', import.meta.url));
const RUNS = Number(process.argv[2] ?? 9);

function timeOnce(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`stampede ${args.join(' ')} exited ${code}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function measure(name: string, args: string[], goalMs: number): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timeOnce(args));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const range = `${(times[0] as number).toFixed(0)}–${(times.at(-1) as number).toFixed(0)}`;
  const verdict = median < goalMs ? 'met' : 'NOT met';
  process.stdout.write(
    `${name.padEnd(34)} median ${median.toFixed(0)} ms (range ${range} ms, ${RUNS} runs), goal < ${goalMs} ms: ${verdict}\n`,
  );
}

const target = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
try {
  await measure('stampede --help', ['--help'], 200);
  await measure(
    'stampede run --url … --iterations 1',
    ['run', '--url', url, '--iterations', '1'],
    1000,
  );
} finally {
  target.close();
}
