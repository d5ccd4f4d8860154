// Issue 13 item 1: the local agents of a controller killed with SIGKILL (no cleanup of its own)
// notice that their parent is gone and exit within the bound docs/controller.md states; none is
// left running as an orphan.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PARENT_GONE_EXIT_MS, PARENT_POLL_INTERVAL_MS } from '@stampede/agent';
import { Cluster, waitFor } from './cluster-harness.ts';

const cluster = new Cluster();
after(() => cluster.cleanup());

/** Whether process `pid` still exists (a zombie of a dead parent is reaped by init at once). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('kill -9 of the controller: its local agents exit within the stated bound', async (t) => {
  const server = await cluster.startServer({ localGenerators: 2 });
  await cluster.waitIdle(2, 'local', 60_000);
  const agentsDir = join(server.dataDir, 'agents');
  const pids = readdirSync(agentsDir)
    .map((d) => join(agentsDir, d, 'agent.pid'))
    .filter((f) => existsSync(f))
    .map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { pid: number }).pid);
  assert.equal(pids.length, 2, `PID files in ${agentsDir}`);
  for (const pid of pids) assert.ok(alive(pid), `agent ${pid} runs before the kill`);

  process.kill(server.pid, 'SIGKILL');
  await server.exited;
  const killedAt = performance.now();
  // The bound of docs/controller.md: one poll to notice, then at most PARENT_GONE_EXIT_MS to
  // stop; 1 s more for the process to be scheduled on a busy machine.
  const boundMs = PARENT_POLL_INTERVAL_MS + PARENT_GONE_EXIT_MS + 1000;
  await waitFor(
    () => pids.every((pid) => !alive(pid)),
    boundMs,
    () => `the local agents ${pids.filter(alive).join(', ')} to exit after the controller's kill`,
  );
  t.diagnostic(`agents gone ${(performance.now() - killedAt).toFixed(0)} ms after the kill`);
});
