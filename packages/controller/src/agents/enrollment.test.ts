// Enrollment refusals change nothing (issue 19 item 2): a bad CSR, a name held by a live
// generator, or a token of another pool never retires a generator nor spends the token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { agentKeyAndCsr } from '../ca/test-helpers.ts';
import { startController, type RunningController } from '../server.ts';
import { silentLog } from '../scheduler/log.ts';
import { FakeAgent } from './testing/fake-agent.ts';

const ADMIN = 'sta_' + 'E'.repeat(43);
let dir: string;
let ctl: RunningController;
let api: Agent;

async function post(path: string, body: unknown, auth = true) {
  const res = await request(ctl.url + path, {
    method: 'POST',
    dispatcher: api,
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: `Bearer ${ADMIN}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text) as Record<string, unknown> };
}

async function joinToken(name: string): Promise<string> {
  const res = await post('/api/v1/join-tokens', { name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body['token'] as string;
}

async function state() {
  const { store } = ctl.services;
  return JSON.stringify({
    generators: await store.listGenerators({ includeRetired: true }),
    revoked: await store.listRevokedCertificates(),
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stampede-enroll-'));
  ctl = await startController({
    port: 0,
    dataDir: dir,
    localGenerators: 0,
    adminToken: ADMIN,
    log: silentLog,
    tickIntervalMs: 50,
  });
  api = new Agent({ connect: { ca: ctl.caPem } });
});

after(async () => {
  await api.close();
  await ctl.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('item 2: a refused enrollment retires no generator and spends no token', async () => {
  const live = await FakeAgent.enroll(
    { url: ctl.url, caPem: ctl.caPem, name: 'busy-name' },
    await joinToken('ci/first'),
  );
  try {
    const before = await state();
    const { csrPem } = await agentKeyAndCsr('busy-name');
    const cases = [
      // A bad CSR under the live generator's name, with a fresh token of its pool.
      {
        token: await joinToken('ci/bad-csr'),
        csrPem: 'not a CSR',
        status: 422,
        code: 'INVALID_CSR',
      },
      // A good CSR under the live generator's name: a clash, never a takeover.
      { token: await joinToken('ci/clash'), csrPem, status: 409, code: 'CONFLICT' },
      // A token of another pool (static) naming the ci generator.
      { token: await joinToken('static-one'), csrPem, status: 409, code: 'CONFLICT' },
    ];
    for (const c of cases) {
      const res = await post(
        '/agent/v1/enroll',
        { protocolVersion: 1, joinToken: c.token, agentName: 'busy-name', csrPem: c.csrPem },
        false,
      );
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.equal(res.body['code'], c.code);
    }
    assert.equal(await state(), before, 'no generator and no certificate changed');
    assert.equal((await live.heartbeat()).status, 200, 'the live generator still works');
    // Every token of a refused enrollment can still be used (under a free name).
    for (const [i, c] of cases.entries()) {
      const again = await FakeAgent.enroll(
        { url: ctl.url, caPem: ctl.caPem, name: `free-${i}` },
        c.token,
      );
      await again.close();
    }
  } finally {
    await live.close();
  }
});

test("item 2: a lost generator of the token's own pool gives its name up", async () => {
  const old = await FakeAgent.enroll(
    { url: ctl.url, caPem: ctl.caPem, name: 'comeback' },
    await joinToken('ci/old'),
  );
  await old.close();
  const { store } = ctl.services;
  await store.setGeneratorStatus(old.agentId, ['idle', 'suspect'], 'lost');
  const fresh = await FakeAgent.enroll(
    { url: ctl.url, caPem: ctl.caPem, name: 'comeback' },
    await joinToken('ci/new'),
  );
  try {
    assert.equal((await store.getGenerator(old.agentId)).status, 'terminated');
    assert.equal((await store.getGenerator(fresh.agentId)).status, 'idle');
  } finally {
    await fresh.close();
  }
});
