// The deadman with the whole agent process frozen (SIGSTOP) for longer than the lease: once it
// runs again (SIGCONT), no new request leaves, even before the supervisor's event loop has run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { buildTestArchive, monotonicMs } from '@stampede/engine';
import { startFakeController } from './testing/fake-controller.ts';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGSTOP longer than the lease, then SIGCONT: no request after the process resumes', async (t) => {
  if (process.platform === 'win32') return t.skip('POSIX signals');
  const work = mkdtempSync(join(tmpdir(), 'stampede-sigstop-'));
  const hits: number[] = [];
  const target = createServer((_req, res) => {
    hits.push(monotonicMs());
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const leaseMs = 1500;
  const controller = await startFakeController({ leaseMs });
  const file = join(work, 'loop.js');
  writeFileSync(
    file,
    `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '60s' } } };
// Several requests per iteration: the ones after the first are not behind an iteration start.
export default async function () { for (let i = 0; i < 5; i++) await http.get(__ENV.TARGET + '/'); }
`,
  );
  const { sha256, bytes } = await buildTestArchive(file);
  controller.addArchive(sha256, bytes);
  const child = spawn(
    process.execPath,
    [
      new URL('./testing/agent-process.ts', import.meta.url).pathname,
      JSON.stringify({
        controllerUrl: controller.url,
        joinToken: controller.newJoinToken(),
        name: 'frozen',
        dataDir: join(work, 'data'),
        caPem: controller.ca.certPem,
        workers: 2,
        heartbeatIntervalMs: 250,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { agentId } = JSON.parse(line.toString()) as { agentId: string };
    controller.setDesired(agentId, {
      kind: 'prepare',
      runId: 'run-stop',
      archiveSha256: sha256,
      overridesJson: '{}',
      env: { TARGET: targetUrl },
      segment: '0:1',
      segmentSequence: '0,1',
      generatorIndex: 0,
      generatorCount: 1,
      runSetup: true,
      allowTargets: [],
      source: 'g0',
    });
    for (let i = 0; !controller.states.some((s) => s.activity === 'ready'); i++) {
      if (i > 1000) throw new Error('not ready');
      await delay(20);
    }
    controller.setDesired(agentId, {
      kind: 'start',
      runId: 'run-stop',
      startAtMs: Date.now() + 200,
      setupDataJson: null,
    });
    while (hits.length < 200) await delay(20);

    child.kill('SIGSTOP');
    await delay(leaseMs + 1000);
    const contAt = monotonicMs();
    child.kill('SIGCONT');
    await delay(1500);
    const after = hits.filter((h) => h > contAt);
    assert.equal(after.length, 0, `${after.length} requests after SIGCONT`);
    for (let i = 0; !controller.states.some((s) => s.activity === 'failed'); i++) {
      if (i > 500) throw new Error('no failed report');
      await delay(20);
    }
    assert.equal(
      controller.states.find((s) => s.activity === 'failed')?.error?.code,
      'LEASE_EXPIRED',
    );
  } catch (error) {
    console.error(stderr);
    throw error;
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await once(child, 'exit').catch(() => undefined);
    await controller.close();
    target.closeAllConnections();
    await new Promise<void>((r) => target.close(() => r()));
    rmSync(work, { recursive: true, force: true });
  }
});
