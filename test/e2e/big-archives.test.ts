// Issue 19 item 4: four large archives uploaded and run at once must not starve the agent
// routes: every heartbeat sent meanwhile is answered well within the suspect deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { FakeAgent } from '../../packages/controller/src/agents/testing/fake-agent.ts';
import { startController, type RunningController } from '../../packages/controller/src/server.ts';
import { silentLog } from '../../packages/controller/src/scheduler/log.ts';
import { DEFAULT_SUSPECT_AFTER_MS } from '../../packages/controller/src/pool/liveness.ts';

const ADMIN = 'sta_' + 'B'.repeat(43);
let dir: string;
let ctl: RunningController;
let api: Agent;

async function call(path: string, body: Buffer | string, contentType: string) {
  const res = await request(ctl.url + path, {
    method: 'POST',
    dispatcher: api,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': contentType },
    body,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** An archive of about `mb` MB: a script of many small functions with URL literals. */
function bigArchive(mb: number, seed: number): Buffer {
  const line = `export function f${seed}_%(){ return fetch('http://127.0.0.1:8080/p/%?q=${seed}'); }\n`;
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const l = line.replaceAll('%', String(i));
    lines.push(l);
    size += l.length;
  }
  lines.push('export default async function () {}\n');
  return Buffer.from(
    JSON.stringify({
      v: 1,
      scriptName: 'test.ts',
      script: lines.join(''),
      files: {},
      targets: ['127.0.0.1:8080'],
    }),
  );
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stampede-big-'));
  ctl = await startController({
    port: 0,
    dataDir: dir,
    localGenerators: 0,
    adminToken: ADMIN,
    log: silentLog,
    allowLoopback: true,
  });
  api = new Agent({ connect: { ca: ctl.caPem } });
});

after(async () => {
  await api.close();
  await ctl.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('item 4: heartbeats are answered in time while 4 large archives are uploaded and run', async () => {
  const tokenRes = await call(
    '/api/v1/join-tokens',
    JSON.stringify({ name: 'ci/hb' }),
    'application/json',
  );
  const token = (JSON.parse(tokenRes.text) as { token: string }).token;
  const agent = await FakeAgent.enroll({ url: ctl.url, caPem: ctl.caPem, name: 'hb' }, token);
  const archives = [1, 2, 3, 4].map((i) => bigArchive(20, i));
  const latencies: number[] = [];
  let done = false;
  const beats = (async () => {
    while (!done) {
      const t0 = performance.now();
      const ack = await agent.heartbeat();
      latencies.push(performance.now() - t0);
      assert.equal(ack.status, 200);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const results = await Promise.all(
      archives.map(async (bytes) => {
        const up = await call('/api/v1/archives', bytes, 'application/octet-stream');
        assert.equal(up.status, 201, up.text.slice(0, 300));
        const sha = (JSON.parse(up.text) as { sha256: string }).sha256;
        const run = await call(
          '/api/v1/runs',
          JSON.stringify({ archiveSha256: sha, pool: 'ci' }),
          'application/json',
        );
        return run.status;
      }),
    );
    assert.deepEqual(results, [201, 201, 201, 201]);
  } finally {
    done = true;
    await beats;
    await agent.close();
  }
  const worst = Math.max(...latencies);
  // Generous on a busy machine: half the silence after which a generator is suspect.
  assert.ok(latencies.length >= 3, `only ${latencies.length} heartbeats`);
  assert.ok(
    worst < DEFAULT_SUSPECT_AFTER_MS / 2,
    `slowest heartbeat answered after ${Math.round(worst)} ms (${latencies.length} heartbeats)`,
  );
});
