// A controller with a local pool of 3 generator processes, driven by the CLI exactly as a user
// would: a 3-generator run counts every request exactly and merges percentiles into the same
// summary a one-machine run makes (and both match percentiles computed from the known values
// within HDR precision); the generators start within 50 ms of each other; a failing threshold
// exits 99 with the local summary's text format; and the runs, generators and tokens commands.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  Cluster,
  firstHitsBy,
  parseSummary,
  waitFor,
  type CountingTarget,
} from './cluster-harness.ts';
import { counterOf, delay, describeResult, runCli, spawnCli, trendOf } from './harness.ts';

const cluster = new Cluster();
let target: CountingTarget;

const VUS = 6;
const ITERATIONS = 250; // per VU: 1500 samples; p·n/100 is whole or half way for every percentile
const GENERATORS = 3;

/** The deterministic value the script records for (VU id, iteration): integers 1..99991. */
function valueOf(vu: number, iter: number): number {
  return ((vu * 7919 + iter * 104_729) % 99_991) + 1;
}

const SCRIPT = `import { http } from 'stampede';
import { Trend } from 'stampede/metrics';
export const options = {
  scenarios: { s: { executor: 'per-vu-iterations', vus: ${VUS}, iterations: ${ITERATIONS}, maxDuration: '60s' } },
};
const det = new Trend('det_value');
export default async function () {
  det.add(((__VU * 7919 + __ITER * 104729) % 99991) + 1);
  await http.get(__ENV.TARGET + '/' + __ENV.PREFIX + '?vu=' + __VU + '&i=' + __ITER, {
    headers: {
      'x-gen': __ENV.STAMPEDE_GENERATOR_INDEX ?? 'local',
      'x-vu': String(__VU),
      'x-sent': String(performance.timeOrigin + performance.now()),
    },
  });
}
`;

before(async () => {
  target = await cluster.target();
  await cluster.startServer({ localGenerators: GENERATORS });
  await cluster.waitIdle(GENERATORS, 'local', 60_000);
  writeFileSync(join(cluster.tmp, 'det.ts'), SCRIPT);
});
after(() => cluster.cleanup());

/** Runs the det script distributed or locally; answers the summary. */
async function runDet(where: 'dist' | 'local') {
  const summaryPath = join(cluster.tmp, `${where}.json`);
  const args = ['run', join(cluster.tmp, 'det.ts'), '--quiet', '--summary-json', summaryPath];
  const env = { TARGET: target.url, PREFIX: where };
  const r =
    where === 'dist'
      ? await runCli(
          [
            ...args,
            '--generators',
            String(GENERATORS),
            '--env',
            `TARGET=${target.url}`,
            '--env',
            `PREFIX=dist`,
          ],
          { env: cluster.cliEnv(), timeoutMs: 90_000 },
        )
      : await runCli([...args, '--workers', '2'], { env, timeoutMs: 90_000 });
  assert.equal(r.code, 0, describeResult(r));
  const { readFileSync } = await import('node:fs');
  return { r, summary: parseSummary(readFileSync(summaryPath, 'utf8')) };
}

let dist: Awaited<ReturnType<typeof runDet>>;
let local: Awaited<ReturnType<typeof runDet>>;

test('3 generators: the target counted exactly the http_reqs the summary reports', async () => {
  dist = await runDet('dist');
  const seen = target.count('/dist');
  assert.equal(seen, VUS * ITERATIONS);
  assert.equal(counterOf(dist.summary, 'http_reqs'), seen);
  assert.equal(counterOf(dist.summary, 'iterations'), VUS * ITERATIONS);
  // Each generator ran its third of the VUs, all of their iterations.
  const perGen = new Map<string, number>();
  for (const h of target.select('/dist')) {
    const g = String(h.headers['x-gen']);
    perGen.set(g, (perGen.get(g) ?? 0) + 1);
  }
  assert.deepEqual([...perGen.entries()].sort(), [
    ['0', 500],
    ['1', 500],
    ['2', 500],
  ]);
});

test('3 generators: first requests of the generators within 50 ms (coordinated start)', (t) => {
  assert.ok(dist, 'the distributed run ran');
  const first = firstHitsBy(target.select('/dist'), 'x-gen');
  assert.equal(first.size, GENERATORS);
  const times = [...first.values()];
  const spread = Math.max(...times) - Math.min(...times);
  // The same, measured where the requests leave (each generator's wall clock, one machine).
  const sent = new Map<string, number>();
  for (const h of target.select('/dist')) {
    const g = String(h.headers['x-gen']);
    const at = Number(h.headers['x-sent']);
    if (!(at >= (sent.get(g) ?? Infinity))) sent.set(g, at);
  }
  const sentSpread = Math.max(...sent.values()) - Math.min(...sent.values());
  t.diagnostic(
    `first-request spread across generators: ${spread.toFixed(1)} ms at the target, ${sentSpread.toFixed(1)} ms at the senders`,
  );
  assert.ok(
    spread <= 50,
    `first requests per generator spread over ${spread.toFixed(1)} ms: ${JSON.stringify(Object.fromEntries([...first].map(([g, t]) => [g, (t - Math.min(...times)).toFixed(1)])))}`,
  );
});

test('merged trend of 3 generators = the one-machine run = the known values within HDR precision', async () => {
  assert.ok(dist, 'the distributed run ran');
  local = await runDet('local');
  assert.equal(target.count('/local'), VUS * ITERATIONS);
  assert.equal(counterOf(local.summary, 'http_reqs'), VUS * ITERATIONS);
  const d = trendOf(dist.summary, 'det_value');
  const l = trendOf(local.summary, 'det_value');
  // Histograms are added, never averaged: the distributed merge is the local histogram exactly.
  assert.deepEqual(d, l);

  const values: number[] = [];
  for (let vu = 1; vu <= VUS; vu++)
    for (let i = 0; i < ITERATIONS; i++) values.push(valueOf(vu, i));
  values.sort((a, b) => a - b);
  const n = values.length;
  assert.equal(d.count, n);
  assert.equal(d.min, values[0]);
  assert.equal(d.max, values[n - 1]);
  assert.equal(d.mean, values.reduce((a, b) => a + b, 0) / n);
  // Nearest rank. p·n/100 (n = 1500) is whole, or ends in .5 for p99.9, so ceil(p·n/100) and
  // round(p·n/100), the two nearest-rank conventions, name the same sample.
  const exact = (p: number): number => values[Math.ceil((p / 100) * n) - 1] as number;
  for (const [key, p] of [
    ['p50', 50],
    ['p90', 90],
    ['p95', 95],
    ['p99', 99],
    ['p999', 99.9],
  ] as const) {
    const want = exact(p);
    const got = d[key];
    // 3 significant digits: HDR answers the top of the value's bucket, at most 1/1024 above it.
    assert.ok(
      got >= want && got - want <= want / 1000,
      `${key}: summary ${got}, exact ${want} (off by ${(((got - want) / want) * 100).toFixed(3)}%)`,
    );
  }
});

/** The text layout of a summary with every number masked: sections, metric names, threshold lines. */
function summaryShape(stdout: string): string[] {
  const start = stdout.indexOf('THRESHOLDS');
  const end = stdout.indexOf('RESULT:');
  const body = stdout.slice(start, stdout.indexOf('\n', end));
  // The generator section differs by design (workers, machines) and under load may carry a
  // saturation warning in one run and not the other: compare only its heading.
  const generator = body.indexOf('GENERATOR');
  const result = body.indexOf('RESULT:');
  const comparable =
    generator >= 0 && result > generator
      ? `${body.slice(0, body.indexOf('\n', generator))}\n${body.slice(result)}`
      : body;
  return comparable
    .split('\n')
    .map((l) =>
      l
        .replace(/\.{2,}:.*$/, '..:')
        .replace(/\d+(\.\d+)?\s*(ms|µs|s|%|kB|MB|B|\/s)?/g, '#')
        // Table columns are as wide as their widest number, which differs between the runs.
        .replace(/(\S) {2,}/g, '$1  ')
        .trimEnd(),
    )
    .filter((l) => l !== '');
}

test('stampede run --server with a failing threshold: exit 99, same summary text as a local run', async () => {
  const file = join(cluster.tmp, 'thresholds.ts');
  writeFileSync(
    file,
    `import { http, check } from 'stampede';
export const options = { iterations: 20, vus: 2, thresholds: { http_reqs: ['count<5'], checks: ['rate>0.5'] } };
export default async function () {
  const r = await http.get(__ENV.TARGET + '/th');
  check(r, { 'is 200': (x) => x.status === 200 });
}
`,
  );
  const remote = await runCli(
    ['run', file, '--quiet', '--no-color', '--generators', '2', '--env', `TARGET=${target.url}`],
    { env: cluster.cliEnv(), timeoutMs: 90_000 },
  );
  assert.equal(remote.code, 99, describeResult(remote));
  const localRun = await runCli(['run', file, '--quiet', '--no-color', '--workers', '1'], {
    env: { TARGET: target.url },
    timeoutMs: 60_000,
  });
  assert.equal(localRun.code, 99, describeResult(localRun));
  assert.match(remote.stdout, /✗ 'count<5' count=20/);
  assert.deepEqual(summaryShape(remote.stdout), summaryShape(localRun.stdout));
  const runId = /run (run_\w+): failed/.exec(remote.stdout)?.[1];
  assert.ok(runId, remote.stdout);

  // runs show: the run, its transitions and its summary.
  const show = await runCli(['runs', 'show', runId], { env: cluster.cliEnv() });
  assert.equal(show.code, 0, describeResult(show));
  assert.match(show.stdout, new RegExp(`${runId}\\s+failed`));
  assert.match(show.stdout, /queued → provisioning/);
  assert.match(show.stdout, /running → collecting/);
  assert.match(show.stdout, /http_reqs\.+: 20/);
});

test('stampede runs abort stops a running run; its generators send nothing after it', async () => {
  const file = join(cluster.tmp, 'long.ts');
  writeFileSync(
    file,
    `import { http, sleep } from 'stampede';
export const options = { vus: 3, duration: '60s' };
export default async function () { await http.get(__ENV.TARGET + '/long'); await sleep(0.02); }
`,
  );
  const remote = spawnCli(
    ['run', file, '--quiet', '--generators', '3', '--env', `TARGET=${target.url}`],
    { env: cluster.cliEnv(), timeoutMs: 90_000 },
  );
  const runId = await waitFor(
    () => /run (run_\w+) queued/.exec(remote.stderr())?.[1],
    30_000,
    () => `the run id\n${remote.stderr()}`,
  );
  await waitFor(() => target.count('/long') > 50, 30_000, 'load on /long');
  const abort = await runCli(['runs', 'abort', runId, '--reason', 'e2e abort'], {
    env: cluster.cliEnv(),
  });
  const abortedAt = performance.now();
  assert.equal(abort.code, 0, describeResult(abort));
  assert.match(abort.stdout, /: aborted \(.*e2e abort\)/);
  const r = await remote.result;
  // Aborted by someone else: not a pass; the follower prints the summary and exits non-zero.
  assert.notEqual(r.code, 0, describeResult(r));
  assert.match(r.stdout, /: aborted \(.*e2e abort\)/);
  await delay(1500);
  const late = target.after(abortedAt + 1000, '/long');
  assert.equal(late.length, 0, `${late.length} requests more than 1 s after the abort`);
  const list = await runCli(['runs', 'list', '--json'], { env: cluster.cliEnv() });
  assert.equal(list.code, 0, describeResult(list));
  const runs = JSON.parse(list.stdout) as { items: { id: string; status: string }[] };
  assert.equal(runs.items.find((x) => x.id === runId)?.status, 'aborted');
});

test('stampede generators list and generators terminate', async () => {
  await cluster.waitIdle(GENERATORS, 'local', 30_000);
  const list = await runCli(['generators', 'list'], { env: cluster.cliEnv() });
  assert.equal(list.code, 0, describeResult(list));
  assert.match(list.stdout, /^ID\s+NAME\s+KIND\s+POOL\s+STATUS/m);
  const ids = [...list.stdout.matchAll(/^(gen_\w+)\s+(local-\d+)\s+local\s+local\s+idle/gm)];
  assert.equal(ids.length, GENERATORS, list.stdout);
  const victim = ids[0]?.[1] as string;
  const term = await runCli(['generators', 'terminate', victim, '--reason', 'e2e'], {
    env: cluster.cliEnv(),
  });
  assert.equal(term.code, 0, describeResult(term));
  assert.match(term.stdout, new RegExp(`generator ${victim}: terminating`));
  await waitFor(
    async () =>
      (await cluster.api.generators('includeRetired=true')).find((g) => g.id === victim)?.status ===
      'terminated',
    20_000,
    `generator ${victim} to be terminated`,
  );
  // Terminating twice is a conflict: exit non-zero with the code.
  const again = await runCli(['generators', 'terminate', victim], { env: cluster.cliEnv() });
  assert.notEqual(again.code, 0, describeResult(again));
  assert.match(again.stderr, /error: .*\[(INVALID_STATE|CONFLICT)\]/);
});

test('stampede tokens create and revoke; a revoked token is refused with a clear message', async () => {
  const created = await runCli(['tokens', 'create', '--name', 'e2e-reader', '--scopes', 'read'], {
    env: cluster.cliEnv(),
  });
  assert.equal(created.code, 0, describeResult(created));
  const m = /API token (atk_\w+) "e2e-reader" \(read\), shown once:\n(sta_\S+)/.exec(
    created.stdout,
  );
  assert.ok(m, created.stdout);
  const [, tokenId, token] = m as unknown as [string, string, string];
  // The new token works with its scope only (checked over REST to keep CLI starts few).
  const reader = cluster.apiWith(token);
  assert.equal((await reader.call('GET', '/runs')).status, 200);
  const abort = await reader.call('POST', '/runs/run_00000000000000000000000000/abort', {
    json: {},
  });
  assert.equal(abort.status, 403);

  const join = await runCli(['tokens', 'create', '--join', '--name', 'e2e-join'], {
    env: cluster.cliEnv(),
  });
  assert.equal(join.code, 0, describeResult(join));
  assert.match(join.stdout, /join token \w+ \(single use, expires .*\):\nstj_\S+/);

  const revoke = await runCli(['tokens', 'revoke', tokenId], { env: cluster.cliEnv() });
  assert.equal(revoke.code, 0, describeResult(revoke));
  const listed = (await cluster.api.ok('GET', '/tokens')) as {
    items: { id: string; revokedAtMs: number | null }[];
  };
  assert.ok(listed.items.find((t) => t.id === tokenId)?.revokedAtMs, 'revokedAtMs set');
  const refused = await runCli(['runs', 'list'], { env: cluster.cliEnv(token) });
  assert.equal(refused.code, 1, describeResult(refused));
  assert.match(refused.stderr, /^error: .+\[UNAUTHENTICATED\]$/m);
});
