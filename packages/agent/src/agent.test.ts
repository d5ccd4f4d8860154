// The agent against a fake controller over real mutual TLS on 127.0.0.1: enrollment, heartbeats,
// renewal, prepare/start of a real test against a local target, every snapshot exactly once, and
// the deadman: once heartbeats go unanswered, no request reaches the target after the lease.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestArchive, monotonicMs } from '@stampede/engine';
import type { AgentStateReport, PrepareCommand } from '@stampede/protocol';
import { startAgent } from './agent.ts';
import { IDENTITY_FILES, certFingerprint } from './identity.ts';
import type { AgentLog } from './log.ts';
import { startFakeController, type FakeController } from './testing/fake-controller.ts';

let target: Server;
let targetUrl = '';
const hits: { atMs: number; path: string }[] = [];
const work = mkdtempSync(join(tmpdir(), 'stampede-agent-test-'));

before(async () => {
  target = createServer((req, res) => {
    hits.push({ atMs: monotonicMs(), path: req.url ?? '' });
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

after(async () => {
  target.closeAllConnections();
  await new Promise<void>((r) => target.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

async function waitFor<T>(what: string, ms: number, get: () => T | undefined | false): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const running: { stop(): Promise<void> }[] = [];

after(async () => {
  for (const a of running) await a.stop().catch(() => undefined);
});

function collectLog(): { log: AgentLog; lines: string[] } {
  const lines: string[] = [];
  return { log: (level, message) => lines.push(`${level}: ${message}`), lines };
}

async function archiveOf(
  name: string,
  source: string,
): Promise<{ sha256: string; bytes: Uint8Array }> {
  const dir = join(work, `test-${name}`);
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(join(work, `${name}.csv`), 'x');
  const file = join(work, `${name}.js`);
  writeFileSync(file, source);
  const built = await buildTestArchive(file);
  return { sha256: built.sha256, bytes: built.bytes };
}

function prepareCommand(
  runId: string,
  sha256: string,
  env: Record<string, string>,
): PrepareCommand {
  return {
    kind: 'prepare',
    runId,
    archiveSha256: sha256,
    overridesJson: '{}',
    env,
    segment: '0:1',
    segmentSequence: '0,1',
    generatorIndex: 0,
    generatorCount: 1,
    runSetup: true,
    allowTargets: [],
    source: 'g0',
  };
}

const statesOf = (c: FakeController, runId: string): AgentStateReport[] =>
  c.states.filter((s) => s.runId === runId);

test('enroll, heartbeat, renew, prepare and run a test: every snapshot arrives exactly once', async () => {
  const controller = await startFakeController({ leaseMs: 5000, certValidityMs: 6000 });
  const dataDir = join(work, 'agent-1');
  const { log, lines } = collectLog();
  try {
    const agent = await startAgent({
      controllerUrl: controller.url,
      joinToken: controller.newJoinToken(),
      name: 'gen-1',
      dataDir,
      caFingerprint: certFingerprint(controller.ca.certPem),
      workers: 2,
      heartbeatIntervalMs: 500,
      log,
    });
    running.push(agent);
    assert.equal(agent.agentId, 'agent-1');
    for (const f of Object.values(IDENTITY_FILES)) assert.ok(existsSync(join(dataDir, f)), f);
    assert.equal(statSync(join(dataDir, IDENTITY_FILES.key)).mode & 0o077, 0, 'key is private');
    await waitFor('a heartbeat', 5000, () => controller.heartbeats.length > 0);

    const { sha256, bytes } = await archiveOf(
      'steady',
      `import { http, open } from 'stampede';
const marker = open('./steady.csv');
export const options = {
  scenarios: { s: { executor: 'constant-arrival-rate', rate: 50, duration: '2s', preAllocatedVUs: 5 } },
  thresholds: { http_req_duration: ['p(95)<1000'] },
};
export function setup() { return { marker }; }
export default async function (data) { await http.get(__ENV.TARGET + '/steady?m=' + data.marker); }
`,
    );
    controller.addArchive(sha256, bytes);
    controller.setDesired('agent-1', prepareCommand('run-1', sha256, { TARGET: targetUrl }));
    const ready = await waitFor('ready', 20_000, () =>
      statesOf(controller, 'run-1').find((s) => s.activity === 'ready'),
    );
    assert.equal(ready.setupDataJson, '{"marker":"x"}');
    assert.deepEqual(ready.plan?.scenarios, { s: { executor: 'constant-arrival-rate' } });
    assert.deepEqual(ready.plan?.metricTypes, { http_req_duration: 'trend' });
    assert.equal(hits.length, 0, 'no load before start');

    const startAtMs = Date.now() + 300;
    controller.setDesired('agent-1', {
      kind: 'start',
      runId: 'run-1',
      startAtMs,
      setupDataJson: ready.setupDataJson ?? null,
    });
    const finished = await waitFor('finished', 20_000, () =>
      statesOf(controller, 'run-1').find(
        (s) => s.activity === 'finished' || s.activity === 'failed',
      ),
    );
    assert.equal(finished.activity, 'finished', JSON.stringify(finished.error));
    assert.deepEqual(
      statesOf(controller, 'run-1')
        .map((s) => s.activity)
        .filter((a, i, all) => all.indexOf(a) === i),
      ['preparing', 'ready', 'running', 'finished'],
    );
    const steady = hits.filter((h) => h.path === '/steady?m=x');
    assert.ok(
      steady.length >= 95 && steady.length <= 101,
      `${steady.length} requests at 50/s for 2 s`,
    );
    assert.equal(finished.scenarios?.['s']?.iterations, steady.length);
    const lastSeqs = finished.lastSeqs ?? {};
    assert.deepEqual(Object.keys(lastSeqs).sort(), ['g0.main', 'g0.w0', 'g0.w1']);

    // Every seq of every source, exactly once.
    const expected = Object.entries(lastSeqs).flatMap(([source, last]) =>
      Array.from({ length: last + 1 }, (_, seq) => `run-1/${source}/${seq}`),
    );
    await waitFor('all snapshots', 10_000, () => expected.every((k) => controller.received.has(k)));
    assert.equal(controller.received.size, expected.length);
    assert.ok([...controller.received.values()].every((n) => n === 1));
    const reqs = controller.snapshots
      .flatMap((s) => s.series)
      .filter((s) => s.metric === 'http_reqs' && s.type === 'counter')
      .reduce((n, s) => n + (s.type === 'counter' ? s.value : 0), 0);
    assert.equal(reqs, steady.length, 'the snapshots count every request');
    await waitFor('spool emptied', 5000, () => !existsSync(join(dataDir, 'spool', 'run-1')));

    // The certificate (6 s) was renewed at 2/3 of its life and the agent kept talking.
    await waitFor('a renewal', 10_000, () => controller.renewals > 0);
    const beats = controller.heartbeats.length;
    await waitFor('heartbeats after renewal', 5000, () => controller.heartbeats.length > beats + 1);
    const hb = controller.heartbeats.at(-1);
    assert.ok(hb?.health && hb.health.rssBytes > 0);

    controller.setDesired('agent-1', { kind: 'idle' });
    await waitFor('idle heartbeat', 5000, () => controller.heartbeats.at(-1)?.activity === 'idle');
    controller.setDesired('agent-1', { kind: 'terminate', reason: 'test over' });
    await agent.done;
    assert.deepEqual(controller.protocolErrors, []);
    assert.ok(!existsSync(join(dataDir, 'runs', 'run-1')), 'the unpacked run is removed');
  } catch (error) {
    console.error(lines.join('\n'));
    throw error;
  } finally {
    await controller.close();
  }
});

test('heartbeats unanswered: no request reaches the target after the lease, the run fails LEASE_EXPIRED', async () => {
  const leaseMs = 1500;
  const controller = await startFakeController({ leaseMs });
  const { log, lines } = collectLog();
  try {
    const agent = await startAgent({
      controllerUrl: controller.url,
      joinToken: controller.newJoinToken(),
      name: 'gen-2',
      dataDir: join(work, 'agent-2'),
      caPem: controller.ca.certPem,
      workers: 2,
      heartbeatIntervalMs: 250,
      log,
    });
    running.push(agent);
    const { sha256, bytes } = await archiveOf(
      'long',
      `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '60s' } } };
export default async function () { await http.get(__ENV.TARGET + '/long'); }
`,
    );
    controller.addArchive(sha256, bytes);
    controller.setDesired(agent.agentId, prepareCommand('run-2', sha256, { TARGET: targetUrl }));
    await waitFor('ready', 20_000, () =>
      statesOf(controller, 'run-2').find((s) => s.activity === 'ready'),
    );
    controller.setDesired(agent.agentId, {
      kind: 'start',
      runId: 'run-2',
      startAtMs: Date.now() + 200,
      setupDataJson: null,
    });
    await waitFor('load', 10_000, () => hits.some((h) => h.path === '/long'));
    await new Promise((r) => setTimeout(r, 500));

    controller.answerHeartbeats = false;
    const cutAt = monotonicMs();
    // No heartbeat answered after cutAt, so the lease ends by cutAt + leaseMs at the latest.
    const failed = await waitFor('failed report', 15_000, () =>
      statesOf(controller, 'run-2').find((s) => s.activity === 'failed'),
    );
    assert.equal(failed.error?.code, 'LEASE_EXPIRED');
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + leaseMs + 1500 - monotonicMs())));
    const late = hits.filter((h) => h.path === '/long' && h.atMs > cutAt + leaseMs + 1000);
    assert.equal(late.length, 0, `${late.length} requests after lease + 1 s`);
    const last = Math.max(...hits.filter((h) => h.path === '/long').map((h) => h.atMs));
    assert.ok(
      last <= cutAt + leaseMs + 50,
      `last request ${(last - cutAt).toFixed(0)} ms after the cut`,
    );
    // Metrics still went out: the spool drains while heartbeats fail.
    const lastSeqs = failed.lastSeqs ?? {};
    await waitFor('snapshots after the lease', 10_000, () =>
      Object.entries(lastSeqs).every(([s, l]) => controller.received.has(`run-2/${s}/${l}`)),
    );
    assert.match(lines.join('\n'), /lease expired: stopping run run-2/);

    controller.answerHeartbeats = true;
    await agent.stop();
    assert.deepEqual(controller.protocolErrors, []);
  } catch (error) {
    console.error(lines.join('\n'));
    throw error;
  } finally {
    await controller.close();
  }
});

test('a restarted agent reuses its identity from the data directory, without a join token', async () => {
  const controller = await startFakeController();
  const dataDir = join(work, 'agent-3');
  const { log, lines } = collectLog();
  try {
    const first = await startAgent({
      controllerUrl: controller.url,
      joinToken: controller.newJoinToken(),
      name: 'gen-3',
      dataDir,
      log,
    });
    running.push(first);
    assert.match(lines.join('\n'), /trusting the certificate .* on first use/);
    await first.stop();
    const second = await startAgent({ controllerUrl: controller.url, name: 'gen-3', dataDir, log });
    running.push(second);
    assert.equal(second.agentId, first.agentId);
    assert.equal(controller.enrollments, 1);
    await waitFor('a heartbeat of the second', 5000, () => controller.heartbeats.length > 1);
    await second.stop();
    assert.deepEqual(readdirSync(join(dataDir, 'spool')), []);
  } finally {
    await controller.close();
  }
});
