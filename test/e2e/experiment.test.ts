// An `experiment` job on a real controller with a local pool: `stampede experiment` runs A and B
// interleaved (A B A B …) against real targets on port 0 whose delay is fixed per target
// process, and the controller's comparison says A/A is not a regression and +25% delay is.
// 4 runs per side: with 3 no rank test over runs can reach p < 0.05 (the result says so).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { comparisonResultSchema } from '@stampede/protocol';
import { Cluster } from './cluster-harness.ts';
import { describeResult, runCli } from './harness.ts';

const cluster = new Cluster();
const servers: Server[] = [];

/** A target answering every request after `delayMs`. */
async function delayTarget(delayMs: number): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('ok'), delayMs);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const SCRIPT = `import { http } from 'stampede';
export default async function () { await http.get(__ENV.TARGET + '/'); }
`;

let base = '';
let same = '';
let slower = '';

before(async () => {
  base = await delayTarget(20);
  same = await delayTarget(20);
  slower = await delayTarget(25);
  await cluster.startServer({ localGenerators: 1 });
  await cluster.waitIdle(1, 'local', 60_000);
  writeFileSync(join(cluster.tmp, 'get.ts'), SCRIPT);
});
after(async () => {
  await cluster.cleanup();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function experiment(targetB: string, name: string) {
  const out = join(cluster.tmp, `${name}.json`);
  const r = await runCli(
    [
      'experiment',
      join(cluster.tmp, 'get.ts'),
      '--runs',
      '4',
      '--vus',
      '2',
      '--duration',
      '2s',
      '--env-a',
      `TARGET=${base}`,
      '--env-b',
      `TARGET=${targetB}`,
      '--metric',
      'http_req_duration:p50',
      '--json-out',
      out,
      '--poll-ms',
      '200',
    ],
    { env: cluster.cliEnv(), timeoutMs: 120_000 },
  );
  const result = comparisonResultSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
  return { r, result };
}

test('experiment A/A: not a regression (exit 0)', async () => {
  const { r, result } = await experiment(same, 'aa');
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(result.baseline.runs, 4);
  assert.equal(result.candidate.runs, 4);
  const row = result.rows[0];
  assert.ok(row, describeResult(r));
  assert.notEqual(row.verdict, 'regression', row.reason);
  assert.match(r.stdout, /http_req_duration\s+p50/);
});

test('experiment +25% delay: a regression whose change CI holds +25% (exit 99)', async () => {
  const { r, result } = await experiment(slower, 'ab');
  assert.equal(r.code, 99, describeResult(r));
  const row = result.rows[0];
  assert.ok(row);
  assert.equal(row.verdict, 'regression', row.reason);
  assert.ok(row.change && row.change.low !== null && row.change.high !== null);
  // The p50 moves by the 5 ms of added delay on top of ~20 ms: about +25%, allowing for timer slack.
  assert.ok(row.change.low < 25 + 10 && row.change.high > 25 - 10, JSON.stringify(row.change));
  const sources = [...result.baseline.sources, ...result.candidate.sources];
  assert.equal(new Set(sources).size, 8, 'eight distinct runs');
});
