// History and change points on a real controller with a local generator: 9 runs of one test
// (label branch=main) against a target on 127.0.0.1 whose delay steps from 10 ms to 40 ms after
// the 4th run; the controller records each ended run's statistics, and `stampede history` shows
// one change point, at the step. Two more runs never change what was first reported about it.
// The controller runs with --history-p-value 0.02: a permutation test over so few runs cannot
// reach the default 0.001 (4 + 4 runs give p ≈ 0.03 at best; 0.02 is reached with 4 + 5), and
// 0.05 would let a provisional change point appear one run early, when only 2 runs follow the step.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { historyViewSchema, type HistoryView } from '@stampede/protocol';
import { Cluster, waitFor } from './cluster-harness.ts';
import { describeResult, runCli } from './harness.ts';

const cluster = new Cluster();
let server: Server | undefined;
let delayMs = 10;
let target = '';
let sha = '';
const runIds: string[] = [];

const SCRIPT = `import { http } from 'stampede';
export default async function () { await http.get(__ENV.TARGET + '/'); }
`;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await cluster.startServer({ localGenerators: 1, args: ['--history-p-value', '0.02'] });
  await cluster.waitIdle(1, 'local', 60_000);
  const file = join(cluster.tmp, 'checkout.ts');
  writeFileSync(file, SCRIPT);
  sha = await cluster.api.upload(file);
});
after(async () => {
  await cluster.cleanup();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

/** Runs the test once on the controller with the target's delay at `ms`; waits until it passed. */
async function runAt(ms: number): Promise<void> {
  delayMs = ms;
  const n = runIds.length;
  const run = await cluster.api.startRun({
    archiveSha256: sha,
    pool: 'local',
    env: { TARGET: target },
    overrides: { vus: 2, durationMs: 1000 },
    labels: { branch: 'main', commit: `c${n}` },
  });
  runIds.push(run.id);
  await cluster.api.waitStatus(run.id, ['passed', 'failed', 'aborted', 'errored'], 60_000);
  const ended = await cluster.api.run(run.id);
  assert.equal(ended.status, 'passed', `run ${n}: ${ended.statusReason}`);
}

/** `stampede history checkout --metric http_req_duration:p50 --json -` once it has `points` points. */
async function history(points: number): Promise<{ view: HistoryView; text: string }> {
  let last = '';
  return waitFor(
    async () => {
      const r = await runCli(
        ['history', 'checkout', '--metric', 'http_req_duration:p50', '--json', '-'],
        { env: cluster.cliEnv(), timeoutMs: 30_000 },
      );
      last = describeResult(r);
      if (r.code !== 0) return undefined;
      const view = historyViewSchema.parse(JSON.parse(r.stdout));
      return view.totalPoints >= points ? { view, text: r.stderr } : undefined;
    },
    30_000,
    () => `history with ${points} points; last: ${last}`,
  );
}

test('9 runs with a delay step: one change point at the step, first sighting never rewritten', async () => {
  for (const ms of [10, 10, 10, 10, 40, 40, 40, 40, 40]) await runAt(ms);
  const { view, text } = await history(9);
  assert.equal(view.totalPoints, 9);
  assert.deepEqual(
    view.points.map((p) => [p.runId, p.commit]),
    runIds.map((id, i) => [id, `c${i}`]),
  );
  // A provisional change point seen early in a wrong place may be withdrawn later (it stays
  // listed, as reported); exactly one is in force, at the step.
  const active = view.changePoints.filter((c) => c.status !== 'withdrawn');
  assert.equal(active.length, 1, JSON.stringify(view.changePoints));
  const cp = active[0];
  assert.ok(cp);
  assert.equal(cp.runId, runIds[4], 'the change point is the first run at 40 ms');
  assert.equal(cp.direction, 'increase');
  assert.equal(cp.worse, true);
  // p50 goes from ~10 ms to ~40 ms; timer slack and the loopback round trip soften the ratio.
  assert.ok(cp.changePct > 100, `change ${cp.changePct}%`);
  // Rows of the table only (withdrawn records are listed after it).
  const marked = text.split('\n').filter((l) => /^\d{4}-/.test(l) && l.includes('change point ('));
  assert.equal(marked.length, 1, text);
  assert.match(
    marked[0] ?? '',
    new RegExp(
      `${runIds[4]}\\s+c4\\s+[\\d.]+\\s+▲ \\+\\d+\\.\\d% change point \\((provisional|confirmed), worse\\)`,
    ),
  );

  for (const ms of [40, 40]) await runAt(ms);
  const later = await history(11);
  const laterActive = later.view.changePoints.filter((c) => c.status !== 'withdrawn');
  assert.equal(laterActive.length, 1, JSON.stringify(later.view.changePoints));
  const again = laterActive[0];
  assert.ok(again);
  // Every record reported before keeps its first sighting; none disappears.
  for (const before of view.changePoints) {
    // A record is told apart by where and after which run it was first seen (a withdrawn one
    // and a later one can share a run).
    const now = later.view.changePoints.find(
      (c) =>
        c.runId === before.runId &&
        c.index === before.index &&
        c.firstSeenAfterRunId === before.firstSeenAfterRunId,
    );
    assert.ok(now, `change point at ${before.runId} still listed`);
    assert.equal(now.firstSeenAtMs, before.firstSeenAtMs);
    assert.equal(now.changePct, before.changePct);
    assert.equal(now.pValue, before.pValue);
  }
  assert.equal(again.runId, cp.runId);
  assert.equal(again.firstSeenAtMs, cp.firstSeenAtMs);
  assert.equal(again.firstSeenAfterRunId, cp.firstSeenAfterRunId);
  assert.equal(again.changePct, cp.changePct);
  assert.equal(again.pValue, cp.pValue);
  assert.equal(again.status, 'confirmed');
});

test('bad input: unknown metric lists the available ones, bad statistic and unknown test exit 2', async () => {
  const cli = (args: string[]) =>
    runCli(['history', ...args], { env: cluster.cliEnv(), timeoutMs: 30_000 });
  const metric = await cli(['checkout', '--metric', 'http_nope:p99']);
  assert.equal(metric.code, 2, describeResult(metric));
  assert.match(metric.stderr, /--metric: .*http_nope:p99/);
  assert.match(metric.stderr, /available:\n(.*\n)*\s+http_req_duration:p99\n/);
  const stat = await cli(['checkout', '--metric', 'http_req_duration:p42']);
  assert.equal(stat.code, 2, describeResult(stat));
  assert.match(stat.stderr, /--metric: unknown statistic "p42"/);
  const wrongKind = await cli(['checkout', '--metric', 'http_reqs:p99']);
  assert.equal(wrongKind.code, 2, describeResult(wrongKind));
  assert.match(wrongKind.stderr, /http_reqs:rate/);
  const unknown = await cli(['nope']);
  assert.equal(unknown.code, 2, describeResult(unknown));
  assert.match(unknown.stderr, /no history for test nope on branch main/);
  const limit = await cli(['checkout', '--limit', '0']);
  assert.equal(limit.code, 2, describeResult(limit));
  assert.match(limit.stderr, /--limit/);
});
