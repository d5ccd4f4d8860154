// Baselines and compare jobs on a real controller with a local pool: four ended runs of get.ts
// labelled branch=main become main's baseline with `stampede baseline set`, `baseline show`
// lists them with their environment, and `stampede compare --server` runs a candidate against a
// target with +50% delay and finds a regression (exit 99). Bad input (unknown run, a run of
// another test, no --branch, no baseline) exits 2 naming what is wrong and keeps the baseline.
// Four runs per side: with 3 no rank test over runs can reach p < 0.05.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { baselineViewSchema, comparisonResultSchema } from '@stampede/protocol';
import { Cluster } from './cluster-harness.ts';
import { describeResult, runCli } from './harness.ts';

const cluster = new Cluster();
const servers: Server[] = [];
let target = '';
let slower = '';
const mainRuns: string[] = [];
let otherRun = '';

const SCRIPT = `import { http } from 'stampede';
export default async function () { await http.get(__ENV.TARGET + '/'); }
`;

async function endedRun(file: string, labels: Record<string, string>): Promise<string> {
  const env = { TARGET: target };
  const sha = await cluster.api.upload(join(cluster.tmp, file), env);
  const run = await cluster.api.startRun({
    archiveSha256: sha,
    env,
    labels,
    pool: 'local',
    overrides: { vus: 2, durationMs: 1500 },
  });
  const ended = await cluster.api.waitStatus(
    run.id,
    ['passed', 'failed', 'errored', 'aborted'],
    60_000,
  );
  assert.equal(ended.status, 'passed', ended.statusReason);
  return run.id;
}

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

before(async () => {
  target = await delayTarget(20);
  slower = await delayTarget(30);
  await cluster.startServer({ localGenerators: 1 });
  await cluster.waitIdle(1, 'local', 60_000);
  writeFileSync(join(cluster.tmp, 'get.ts'), SCRIPT);
  writeFileSync(join(cluster.tmp, 'other.ts'), SCRIPT);
  for (let i = 0; i < 4; i += 1) mainRuns.push(await endedRun('get.ts', { branch: 'main' }));
  otherRun = await endedRun('other.ts', { branch: 'main' });
});
after(async () => {
  await cluster.cleanup();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function cli(args: string[]) {
  return runCli(['baseline', ...args], { env: cluster.cliEnv(), timeoutMs: 60_000 });
}

test('baseline show before any is set: exit 2, says there is none', async () => {
  const r = await cli(['show', 'get', '--branch', 'main']);
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /no baseline for test get on main/);
});

test('baseline set then show lists the runs, the environment and who set it', async () => {
  const set = await cli(['set', 'get', '--branch', 'main', '--runs', mainRuns.join(',')]);
  assert.equal(set.code, 0, describeResult(set));
  const show = await cli(['show', 'get', '--branch', 'main']);
  assert.equal(show.code, 0, describeResult(show));
  for (const id of mainRuns) assert.match(show.stdout, new RegExp(id));
  assert.match(show.stdout, /1 generator\(s\) × \d+ worker\(s\), stampede /);
  assert.match(show.stdout, /runs \(4\)/);
  const json = await cli(['show', 'get', '--branch', 'main', '--json']);
  assert.equal(json.code, 0, describeResult(json));
  const view = baselineViewSchema.parse(JSON.parse(json.stdout));
  assert.deepEqual(view.runIds, mainRuns);
  assert.equal(view.fingerprint.generators, 1);
  assert.ok(view.setBy.length > 0);
});

test('bad input exits 2 naming the field and keeps the stored baseline', async () => {
  const unknown = await cli([
    'set',
    'get',
    '--branch',
    'main',
    '--runs',
    `${mainRuns[0]},run_nope`,
  ]);
  assert.equal(unknown.code, 2, describeResult(unknown));
  assert.match(unknown.stderr, /runIds: no run run_nope/);

  const other = await cli([
    'set',
    'get',
    '--branch',
    'main',
    '--runs',
    `${mainRuns[0]},${otherRun}`,
  ]);
  assert.equal(other.code, 2, describeResult(other));
  assert.match(
    other.stderr,
    new RegExp(`runIds: run ${otherRun} is a run of test "other", not "get"`),
  );

  const noBranch = await cli(['set', 'get', '--runs', mainRuns.join(',')]);
  assert.equal(noBranch.code, 2, describeResult(noBranch));
  assert.match(noBranch.stderr, /--branch/);

  const noRuns = await cli(['set', 'get', '--branch', 'main']);
  assert.equal(noRuns.code, 2, describeResult(noRuns));
  assert.match(noRuns.stderr, /--runs/);

  const json = await cli(['show', 'get', '--branch', 'main', '--json']);
  assert.deepEqual(baselineViewSchema.parse(JSON.parse(json.stdout)).runIds, mainRuns);
});

function compare(args: string[]) {
  return runCli(
    [
      'compare',
      '--server',
      cluster.server?.url ?? '',
      join(cluster.tmp, 'get.ts'),
      '--vus',
      '2',
      '--duration',
      '1500ms',
      '--poll-ms',
      '200',
      ...args,
    ],
    { env: cluster.cliEnv(), timeoutMs: 120_000 },
  );
}

test('compare --server with no baseline for the branch: exit 2 [NO_BASELINE]', async () => {
  const r = await compare(['--test', 'get', '--branch', 'feature', '--env', `TARGET=${target}`]);
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /no baseline for test get on feature.*\[NO_BASELINE\]/);
});

test('compare --server, candidate +50% delay: a regression against the stored baseline (exit 99)', async () => {
  const out = join(cluster.tmp, 'compare.json');
  const r = await compare([
    '--test',
    'get',
    '--branch',
    'main',
    '--runs',
    '4',
    '--env',
    `TARGET=${slower}`,
    '--metric',
    'http_req_duration:p50',
    '--json',
    out,
  ]);
  assert.equal(r.code, 99, describeResult(r));
  const result = comparisonResultSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
  assert.deepEqual([...result.baseline.sources].sort(), [...mainRuns].sort());
  assert.equal(result.candidate.runs, 4);
  const row = result.rows[0];
  assert.ok(row, describeResult(r));
  assert.equal(row.verdict, 'regression', row.reason);
  // 10 ms more on ~20 ms: about +50%, allowing for timer slack.
  assert.ok(row.change && row.change.low !== null && row.change.high !== null);
  assert.ok(row.change.low < 50 + 20 && row.change.high > 50 - 20, JSON.stringify(row.change));
  assert.match(r.stdout, /http_req_duration\s+p50/);
  assert.match(r.stdout, /regression/);
});

test('baseline run: a baseline job runs the test K times and makes the runs the baseline', async () => {
  const r = await cli([
    'run',
    'nightly',
    '--branch',
    'release',
    join(cluster.tmp, 'get.ts'),
    '--runs',
    '3',
    '--vus',
    '1',
    '--duration',
    '1s',
    '--env',
    `TARGET=${target}`,
    '--poll-ms',
    '200',
    '--json',
  ]);
  assert.equal(r.code, 0, describeResult(r));
  const view = baselineViewSchema.parse(JSON.parse(r.stdout));
  assert.equal(view.testName, 'nightly');
  assert.equal(view.runIds.length, 3);
  assert.equal(new Set(view.runIds).size, 3);
  for (const id of view.runIds) {
    const run = await cluster.api.run(id);
    assert.equal(run.status, 'passed');
    assert.equal(run.labels['test'], 'nightly');
    assert.equal(run.labels['branch'], 'release');
    assert.equal(run.labels['stampede/side'], 'baseline');
  }
  const show = await cli(['show', 'nightly', '--branch', 'release']);
  assert.equal(show.code, 0, describeResult(show));
  for (const id of view.runIds) assert.match(show.stdout, new RegExp(id));
});
