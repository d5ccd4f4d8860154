// The local pool with real child processes: fake agents (the protocol, no engine) started with
// the `stampede agent` flags, enrolled as local generators, kept warm, replaced when one dies,
// used by a run, and terminated when the controller stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { openStore } from '@stampede/store';
import { createApiToken } from '../ca/index.ts';
import { startController } from '../server.ts';
import { silentLog } from '../scheduler/log.ts';
import type { LocalAgentCommand } from './local-pool.ts';

const FAKE_AGENT = fileURLToPath(new URL('../agents/testing/fake-agent-main.ts', import.meta.url));

const fakeAgentCommand: LocalAgentCommand = (l) => ({
  command: process.execPath,
  args: [
    FAKE_AGENT,
    '--controller',
    l.controllerUrl,
    '--name',
    l.name,
    '--data-dir',
    l.dataDir,
    '--ca-file',
    l.caFile,
  ],
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('local agents start warm, replace a dead one, run a run, and are terminated at stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-local-'));
  const admin = createApiToken().token;
  const ctl = await startController({
    port: 0,
    dataDir: dir,
    localGenerators: 2,
    localAgentCommand: fakeAgentCommand,
    adminToken: admin,
    log: silentLog,
    timeouts: { startLeadMs: 300 },
    tickIntervalMs: 50,
  });
  const api = new Agent({ connect: { ca: ctl.caPem } });
  const store = ctl.services.store;
  let pids: number[] = [];
  try {
    const idle = async () => {
      const g = await store.listGenerators({ pool: 'local', status: ['idle'] });
      return g.length === 2 ? g : undefined;
    };
    const first = await until('2 idle local generators', idle);
    assert.deepEqual(
      first.map((g) => g.kind),
      ['local', 'local'],
    );
    const pool = ctl.core.localPool;
    assert.ok(pool);
    assert.equal(pool.pids().length, 2);
    // Issue 19 item 12: the single-use join token is not on the command line (visible in `ps`).
    for (const pid of pool.pids()) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.ok(!argv.includes('--join-token'), argv.join(' '));
    }

    // One dies: it is retired (certificate revoked) and replaced.
    const victim = first[0];
    assert.ok(victim);
    const victimPid = pool.pidOf(victim.id);
    assert.ok(victimPid !== undefined);
    process.kill(victimPid, 'SIGKILL');
    const retired = await until('the dead one retired', async () => {
      const g = await store.getGenerator(victim.id);
      return g.status === 'terminated' ? g : undefined;
    });
    assert.ok(await store.isCertificateRevoked(retired.certSerial ?? ''));
    await until('a replacement', async () => {
      const g = await store.listGenerators({ pool: 'local', status: ['idle'] });
      return g.length === 2 && !g.some((x) => x.id === victim.id) ? g : undefined;
    });

    const archive = Buffer.from(
      JSON.stringify({ v: 1, scriptName: 't.js', script: '', files: {}, targets: [] }),
    );
    const auth = { authorization: `Bearer ${admin}` };
    const up = await request(`${ctl.url}/api/v1/archives`, {
      method: 'POST',
      dispatcher: api,
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: archive,
    });
    const { sha256 } = (await up.body.json()) as { sha256: string };
    const created = await request(`${ctl.url}/api/v1/runs`, {
      method: 'POST',
      dispatcher: api,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ archiveSha256: sha256, generators: 2 }),
    });
    assert.equal(created.statusCode, 201);
    const { id } = (await created.body.json()) as { id: string };
    const done = await until('the run to end', async () => {
      const r = await store.getRun(id);
      return ['passed', 'failed', 'aborted', 'errored'].includes(r.status) ? r : undefined;
    });
    assert.equal(done.status, 'passed', done.statusReason);
    assert.equal(done.pool, 'local');
    pids = pool.pids();
    assert.equal(pids.length, 2);
  } finally {
    await api.close();
    await ctl.stop();
  }
  for (const pid of pids) assert.equal(alive(pid), false, `local agent ${pid} exited`);
  const after = await openStore(join(dir, 'stampede.db'));
  try {
    const gens = await after.listGenerators({ pool: 'local', includeRetired: true });
    assert.equal(gens.length, 3);
    for (const g of gens) {
      assert.equal(g.status, 'terminated');
      assert.ok(await after.isCertificateRevoked(g.certSerial ?? ''));
    }
  } finally {
    await after.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
