// Per-project allow-lists and caps (issue 13 item 8) over real processes: a controller with one
// local generator, two projects — "narrow" may target 127.0.0.1:<A> only and run on one
// generator, "wide" inherits the installation (loopback) — set and read with `stampede projects`.
// Runs of "narrow" against <B> are refused when queued; its runs over the cap are refused; a
// target only built at run time (from __ENV) fails with ETARGET for "narrow" and is reached by
// "wide".
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { projectPolicyViewSchema } from '@stampede/protocol';
import { Cluster, type CountingTarget } from './cluster-harness.ts';
import { counterOf, describeResult, rateOf, readSummary, runCli } from './harness.ts';

const cluster = new Cluster();
let a: CountingTarget;
let b: CountingTarget;

function cli(args: string[], timeoutMs = 30_000) {
  return runCli(args, { env: cluster.cliEnv(), cwd: cluster.tmp, timeoutMs });
}

before(async () => {
  a = await cluster.target();
  b = await cluster.target();
  await cluster.startServer({ localGenerators: 1 });
  await cluster.waitIdle(1, 'local', 60_000);
  for (const name of ['narrow', 'wide']) {
    const r = await cli(['projects', 'create', name]);
    assert.equal(r.code, 0, describeResult(r));
  }
  const set = await cli([
    'projects',
    'policy',
    'set',
    'narrow',
    '--allow',
    `127.0.0.1:${a.port}`,
    '--max-generators',
    '1',
  ]);
  assert.equal(set.code, 0, describeResult(set));
});
after(() => cluster.cleanup());

test('policy show: the project list, the installation and the intersection; bad input exits 2 and changes nothing', async () => {
  const shown = await cli(['projects', 'policy', 'show', 'narrow', '--json']);
  assert.equal(shown.code, 0, describeResult(shown));
  const view = projectPolicyViewSchema.parse(JSON.parse(shown.stdout));
  assert.deepEqual(view.project.allowTargets, [`127.0.0.1:${a.port}`]);
  assert.deepEqual(view.effective.allowTargets, [`127.0.0.1:${a.port}`]);
  assert.deepEqual(view.effective.maxGenerators, { limit: 1, source: 'project' });
  const text = await cli(['projects', 'policy', 'show', 'wide']);
  assert.equal(text.code, 0, describeResult(text));
  assert.match(text.stdout, /own allow-list: +\(none: inherits the installation\)/);
  assert.match(text.stdout, /effective allow-list: +loopback/);

  for (const bad of [
    ['--allow', 'http://127.0.0.1:1/'],
    ['--allow', '*.example.com'],
    ['--max-generators', '0'],
    ['--max-duration', 'soon'],
    [],
  ]) {
    const r = await cli(['projects', 'policy', 'set', 'narrow', ...bad]);
    assert.equal(r.code, 2, `${bad.join(' ')}: ${describeResult(r)}`);
  }
  const badFile = join(cluster.tmp, 'bad-policy.json');
  writeFileSync(badFile, JSON.stringify({ allowTargets: ['127.0.0.1:1'], maxGenerators: -1 }));
  const fromFile = await cli(['projects', 'policy', 'set', 'narrow', '--file', badFile]);
  assert.equal(fromFile.code, 2, describeResult(fromFile));
  assert.match(fromFile.stderr, /maxGenerators/);
  const missing = await cli(['projects', 'policy', 'show', 'nope']);
  assert.notEqual(missing.code, 0, describeResult(missing));
  assert.match(missing.stderr, /no project nope/);
  const again = projectPolicyViewSchema.parse(
    JSON.parse((await cli(['projects', 'policy', 'show', 'narrow', '--json'])).stdout),
  );
  assert.deepEqual(again, view, 'refused changes left the policy as it was');
  const audit = (await cluster.api.ok('GET', '/audit')) as { items: { action: string }[] };
  assert.equal(audit.items.filter((e) => e.action === 'project.policy.set').length, 1);
});

test("a target off the project's list is refused when queued; the other project's run passes", async () => {
  const refused = await cli([
    'run',
    '--url',
    `${b.url}/narrow`,
    '--iterations',
    '3',
    '--project',
    'narrow',
    '--quiet',
  ]);
  assert.equal(refused.code, 2, describeResult(refused));
  assert.match(refused.stderr, /\[TARGET_NOT_ALLOWED\]/);
  assert.match(refused.stderr, new RegExp(`127\\.0\\.0\\.1:${b.port} not on project narrow's`));
  assert.equal(b.count('/narrow'), 0);

  const passed = await cli(
    ['run', '--url', `${b.url}/wide`, '--iterations', '3', '--project', 'wide', '--quiet'],
    90_000,
  );
  assert.equal(passed.code, 0, describeResult(passed));
  assert.equal(b.count('/wide'), 3);
});

test("a run over the project's cap is refused, naming the project's policy", async () => {
  const r = await cli([
    'run',
    '--url',
    `${a.url}/cap`,
    '--iterations',
    '2',
    '--project',
    'narrow',
    '--generators',
    '2',
    '--quiet',
  ]);
  assert.equal(r.code, 2, describeResult(r));
  assert.match(r.stderr, /\[CAP_EXCEEDED\]/);
  assert.match(r.stderr, /exceeds the cap of 1 \(project narrow's policy\)/);
  assert.equal(a.count('/cap'), 0);
});

test('a target built at run time fails with ETARGET for the restricted project only', async () => {
  const file = join(cluster.tmp, 'hidden.ts');
  writeFileSync(
    file,
    `import { http, check } from 'stampede';
export const options = { iterations: 4, vus: 1 };
export default async function () {
  const hidden = 'http' + '://' + __ENV.BHOST + ':' + __ENV.BPORT + '/' + __ENV.TAG;
  const r = await http.get(hidden);
  check(r, { 'refused': (x) => x.status === 0 && x.error_code === 'ETARGET' });
  await http.get(__ENV.ALLOWED + '/' + __ENV.TAG);
}
`,
  );
  const runAs = async (project: string) => {
    const summaryPath = join(cluster.tmp, `${project}.json`);
    const r = await cli(
      [
        'run',
        file,
        '--quiet',
        '--project',
        project,
        '--summary-json',
        summaryPath,
        '--env',
        'BHOST=127.0.0.1',
        '--env',
        `BPORT=${b.port}`,
        '--env',
        `ALLOWED=${a.url}`,
        '--env',
        `TAG=${project}-hidden`,
      ],
      90_000,
    );
    assert.equal(r.code, 0, describeResult(r));
    return readSummary(summaryPath);
  };

  const narrow = await runAs('narrow');
  assert.equal(b.count('/narrow-hidden'), 0, 'the restricted project reached B at run time');
  assert.equal(a.count('/narrow-hidden'), 4);
  assert.equal(narrow.checks.find((c) => c.name === 'refused')?.passes, 4);
  assert.equal(counterOf(narrow, 'http_reqs'), 8);
  assert.equal(rateOf(narrow, 'http_req_failed').passes, 4);
  const runs = (await cluster.api.ok('GET', '/runs?limit=1')) as { items: { id: string }[] };
  const logs = (await cluster.api.ok('GET', `/runs/${runs.items[0]?.id}/logs`)) as {
    items: { message: string }[];
  };
  assert.ok(
    logs.items.some((l) =>
      new RegExp(`requests to http://127\\.0\\.0\\.1:${b.port} refused`).test(l.message),
    ),
    JSON.stringify(logs.items),
  );

  const wide = await runAs('wide');
  assert.equal(b.count('/wide-hidden'), 4, 'the other project reaches B');
  assert.equal(wide.checks.find((c) => c.name === 'refused')?.passes ?? 0, 0);
});
