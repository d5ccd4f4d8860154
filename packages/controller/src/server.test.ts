// The whole controller over real HTTPS on 127.0.0.1: two fake agents speaking the protocol over
// mutual TLS enroll with join tokens from the API, and a run started through the REST API goes
// through its life cycle to a stored summary. Also: what the agent routes refuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { RunLive, Summary } from '@stampede/protocol';
import { FakeAgent } from './agents/testing/fake-agent.ts';
import { CertificateAuthority } from './ca/index.ts';
import { agentKeyAndCsr, testClock } from './ca/test-helpers.ts';
import { startController, type RunningController } from './server.ts';
import { silentLog } from './scheduler/log.ts';

const ADMIN = 'sta_' + 'A'.repeat(43);
let dir: string;
let ctl: RunningController;
let api: Agent;

async function http<T>(
  method: string,
  path: string,
  body?: unknown,
  raw?: Buffer,
): Promise<{ status: number; body: T }> {
  const res = await request(ctl.url + path, {
    method: method as 'GET',
    dispatcher: api,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(raw ? { 'content-type': 'application/octet-stream' } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(raw ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
}

async function joinToken(name: string): Promise<string> {
  const res = await http<{ token: string }>('POST', '/api/v1/join-tokens', { name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.token;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stampede-ctl-'));
  ctl = await startController({
    port: 0,
    dataDir: dir,
    localGenerators: 0,
    adminToken: ADMIN,
    log: silentLog,
    timeouts: { startLeadMs: 300 },
    tickIntervalMs: 50,
  });
  api = new Agent({ connect: { ca: ctl.caPem } });
});

after(async () => {
  await api.close();
  await ctl.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('startController: health, CA key file mode, the fixed admin token registered', async () => {
  const health = await http<{ status: string }>('GET', '/api/v1/health');
  assert.deepEqual([health.status, health.body.status], [200, 'ok']);
  assert.equal(ctl.adminToken, ADMIN, 'registered by this start');
  assert.equal(statSync(join(dir, 'ca', 'ca.key')).mode & 0o777, 0o600);
  assert.match(ctl.url, /^https:\/\/127\.0\.0\.1:\d+$/);
});

test('two agents over mutual TLS run a whole life cycle to a stored summary', async () => {
  const plan = {
    thresholds: { http_req_duration: ['p(95)<500'] },
    metricTypes: { http_req_duration: 'trend' as const },
    scenarios: { default: { executor: 'constant-vus' } },
    maxDurationMs: 2_000,
  };
  const agents = [
    await FakeAgent.enroll(
      { url: ctl.url, caPem: ctl.caPem, name: 'a1', behaviour: { plan, setupDataJson: '{"s":1}' } },
      await joinToken('ci/a1'),
    ),
    await FakeAgent.enroll(
      { url: ctl.url, caPem: ctl.caPem, name: 'a2' },
      await joinToken('ci/a2'),
    ),
  ];
  try {
    for (const a of agents) a.start();
    const gens = await ctl.services.store.listGenerators({ pool: 'ci' });
    assert.deepEqual(
      gens.map((g) => [g.name, g.kind]),
      [
        ['a1', 'static'],
        ['a2', 'static'],
      ],
    );

    const archive = Buffer.from(
      JSON.stringify({
        v: 1,
        scriptName: 't.js',
        script: 'export default () => {}',
        files: {},
        targets: [],
      }),
    );
    const up = await http<{ sha256: string }>('POST', '/api/v1/archives', undefined, archive);
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const created = await http<{ id: string }>('POST', '/api/v1/runs', {
      archiveSha256: up.body.sha256,
      generators: 2,
      pool: 'ci',
      overrides: { vus: 4 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const runId = created.body.id;
    const done = await until('the run to end', async () => {
      const r = await http<{ status: string; statusReason: string }>(
        'GET',
        `/api/v1/runs/${runId}`,
      );
      return ['passed', 'failed', 'aborted', 'errored'].includes(r.body.status)
        ? r.body
        : undefined;
    });
    assert.equal(done.status, 'passed', done.statusReason);

    const transitions = await ctl.services.store.listRunTransitions(runId);
    assert.deepEqual(
      transitions.map((t) => t.to),
      [
        'queued',
        'provisioning',
        'preparing',
        'ready',
        'running',
        'collecting',
        'analysing',
        'passed',
      ],
    );
    const run = await ctl.services.store.getRun(runId);
    const summary = JSON.parse(run.summaryJson ?? 'null') as Summary;
    const reqs = summary.metrics['http_reqs'];
    assert.equal(
      reqs?.type === 'counter' ? reqs.values.count : -1,
      12,
      '2 agents × 3 s × 2 requests',
    );
    assert.equal(summary.thresholds['http_req_duration']?.[0]?.ok, true);
    assert.equal(summary.scenarios['default']?.iterations, 12);

    const [p1, p2] = agents.map((a) => a.commands.find((c) => c.kind === 'prepare'));
    assert.ok(p1?.kind === 'prepare' && p2?.kind === 'prepare');
    assert.deepEqual([p1.segment, p2.segment], ['0:1/2', '1/2:1']);
    assert.equal(p1.overridesJson, '{"vus":4}');
    const start = agents[1]?.commands.find((c) => c.kind === 'start');
    assert.ok(start?.kind === 'start' && start.setupDataJson === '{"s":1}');

    const live = await http<RunLive>('GET', `/api/v1/runs/${runId}/live`);
    assert.equal(live.status, 200);
    assert.equal(live.body.totalRequests, 12);
    await until('generators idle again', async () => {
      const g = await ctl.services.store.listGenerators({ pool: 'ci', status: ['idle'] });
      return g.length === 2 ? true : undefined;
    });
  } finally {
    for (const a of agents) await a.close();
  }
});

test('agent routes refuse: no certificate, reused token, foreign CA, revoked certificate', async () => {
  const plain = new Agent({ connect: { ca: ctl.caPem } });
  const token = await joinToken('refusals');
  const agent = await FakeAgent.enroll({ url: ctl.url, caPem: ctl.caPem, name: 'r1' }, token);
  try {
    const noCert = await request(`${ctl.url}/agent/v1/heartbeat`, {
      method: 'POST',
      dispatcher: plain,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(noCert.statusCode, 401);
    assert.equal(((await noCert.body.json()) as { code: string }).code, 'UNAUTHENTICATED');

    await assert.rejects(
      FakeAgent.enroll({ url: ctl.url, caPem: ctl.caPem, name: 'r2' }, token),
      /401.*TOKEN_USED/,
    );
    await assert.rejects(
      FakeAgent.enroll({ url: ctl.url, caPem: ctl.caPem, name: 'r2' }, 'stj_' + 'x'.repeat(43)),
      /401.*INVALID_TOKEN/,
    );

    const ok = await agent.heartbeat();
    assert.equal(ok.status, 200);
    assert.equal(ok.body.leaseMs, 10_000);

    const foreign = await CertificateAuthority.create({
      commonName: 'intruder',
      clock: testClock(),
    });
    const { csrPem, keyPem } = await agentKeyAndCsr('x');
    const cert = await foreign.signClientCsr(csrPem, { agentId: agent.agentId });
    const intruder = new Agent({ connect: { ca: ctl.caPem, cert: cert.certPem, key: keyPem } });
    const res = await request(`${ctl.url}/agent/v1/commands?waitMs=0`, { dispatcher: intruder });
    assert.equal(res.statusCode, 401);
    assert.equal(((await res.body.json()) as { code: string }).code, 'CERT_UNKNOWN_CA');
    await intruder.close();

    const g = await ctl.services.store.getGenerator(agent.agentId);
    await ctl.services.store.revokeCertificate(g.certSerial ?? '');
    const revoked = await agent.heartbeat();
    assert.equal(revoked.status, 403);
    assert.equal((revoked.body as unknown as { code: string }).code, 'CERT_REVOKED');
  } finally {
    await agent.close();
    await plain.close();
  }
});

test('break glass: terminating a generator tells the agent and retires it', async () => {
  const agent = await FakeAgent.enroll(
    { url: ctl.url, caPem: ctl.caPem, name: 'doomed' },
    await joinToken('glass/doomed'),
  );
  try {
    agent.start();
    await ctl.services.pools.terminateGenerator(agent.agentId, 'test', 'tester');
    await until('terminate delivered', async () => (agent.terminated ? true : undefined));
    const g = await ctl.services.store.getGenerator(agent.agentId);
    assert.equal(g.status, 'terminating');
    const answer = await agent.call('POST', '/agent/v1/renew', {
      protocolVersion: 1,
      csrPem: (await agentKeyAndCsr('doomed')).csrPem,
    });
    assert.equal(answer.status, 200, 'still reachable until confirmed');
  } finally {
    await agent.close();
  }
});
