// Generators that die, freeze or lose the network mid-run: the controller notices (lease plus
// grace), aborts the run with a reason that names the generator, and no generator sends load
// after that: the dead one cannot, the frozen one does not resume after SIGCONT, the cut-off one
// stops on its own lease, and the healthy ones stop at the abort.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  Cluster,
  ip,
  netnsAvailable,
  waitFor,
  type AgentProc,
  type Api,
  type CountingTarget,
} from './cluster-harness.ts';
import { delay } from './harness.ts';

const LEASE_MS = 4000;
/** Silence after which the controller declares a generator lost (docs/controller.md). */
const LOST_AFTER_MS = LEASE_MS + 2000;

const cluster = new Cluster();
after(() => cluster.cleanup());

const SCRIPT = `import { http, sleep } from 'stampede';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: Number(__ENV.VUS), duration: '45s' } } };
export default async function () {
  await http.get(__ENV.TARGET + '/' + __ENV.NAME, { headers: { 'x-gen': __ENV.STAMPEDE_GENERATOR_INDEX ?? '?' } });
  await sleep(0.02);
}
`;

/** Starts a run of SCRIPT on `n` generators and waits until all of them send load. */
async function startLoad(api: Api, target: CountingTarget, name: string, n: number) {
  const file = join(cluster.tmp, 'load.ts');
  writeFileSync(file, SCRIPT);
  const run = await api.startRun({
    archiveSha256: await api.upload(file),
    generators: n,
    env: { TARGET: target.url, NAME: name, VUS: String(n) },
  });
  await api.waitStatus(run.id, ['running'], 60_000);
  await waitFor(
    () => new Set(target.select(`/${name}`).map((h) => h.headers['x-gen'])).size === n,
    20_000,
    `load from ${n} generators`,
  );
  await delay(1000);
  // "n generator(s) assigned (g0=a, g1=b, …)": which agent holds which share.
  const transitions = await api.transitions(run.id);
  const assigned = transitions.find((t) => t.to === 'preparing')?.reason ?? '';
  const index = new Map([...assigned.matchAll(/g(\d+)=([\w.-]+)/g)].map((m) => [m[2], m[1]]));
  return { run, indexOf: (agent: AgentProc) => index.get(agent.name) as string };
}

/** Epoch ms of the run's abort, converted to this process's performance.now() time. */
async function abortedAt(api: Api, runId: string): Promise<{ atPerf: number; reason: string }> {
  const t = (await api.transitions(runId)).find((x) => x.to === 'aborted');
  assert.ok(t, 'an aborted transition');
  return { atPerf: performance.now() - (Date.now() - t.atMs), reason: t.reason };
}

let agents: AgentProc[] = [];
let target: CountingTarget;

test('kill -9 of one agent: detected, run aborted naming it, no load from the others after the abort', async (t) => {
  target = await cluster.target();
  await cluster.startServer({ lease: '4s' });
  for (const name of ['l1', 'l2', 'l3']) agents.push(await cluster.startAgent({ name }));
  await cluster.waitIdle(3);
  const { run, indexOf } = await startLoad(cluster.api, target, 'kill', 3);
  const victim = agents[1] as AgentProc;
  const victimGen = indexOf(victim);
  process.kill(-victim.pid, 'SIGKILL');
  const killedAt = performance.now();

  const view = await cluster.api.waitStatus(
    run.id,
    ['aborted', 'errored', 'failed', 'passed'],
    30_000,
  );
  assert.equal(view.status, 'aborted', view.statusReason);
  assert.match(
    view.statusReason,
    new RegExp(`generator ${victim.name} \\(${victim.agentId}\\) lost`),
  );
  const abort = await abortedAt(cluster.api, run.id);
  const detectMs = abort.atPerf - killedAt;
  t.diagnostic(`run aborted ${detectMs.toFixed(0)} ms after the kill`);
  assert.ok(
    detectMs <= LOST_AFTER_MS + 3000,
    `aborted ${detectMs.toFixed(0)} ms after the kill (lost after ${LOST_AFTER_MS} ms)`,
  );
  await waitFor(() => performance.now() > abort.atPerf + 2500, 10_000, 'time to pass');
  const fromVictim = target
    .after(killedAt + 100, '/kill')
    .filter((h) => h.headers['x-gen'] === victimGen);
  assert.equal(fromVictim.length, 0, 'requests from the killed agent');
  const late = target.after(abort.atPerf + 1000, '/kill');
  assert.equal(
    late.length,
    0,
    `${late.length} requests (generators ${[...new Set(late.map((h) => h.headers['x-gen']))].join(',')}) more than 1 s after the abort`,
  );
  agents = agents.filter((a) => a !== victim);
});

test('SIGSTOP of an agent past the lease, then SIGCONT: it does not resume load', async () => {
  agents.push(await cluster.startAgent({ name: 'l4' }));
  await cluster.waitIdle(3);
  const { run, indexOf } = await startLoad(cluster.api, target, 'stop', 3);
  const victim = agents[0] as AgentProc;
  const victimGen = indexOf(victim);
  process.kill(victim.pid, 'SIGSTOP');
  const stoppedAt = performance.now();
  try {
    const view = await cluster.api.waitStatus(
      run.id,
      ['aborted', 'errored', 'failed', 'passed'],
      30_000,
    );
    assert.equal(view.status, 'aborted', view.statusReason);
    assert.match(
      view.statusReason,
      new RegExp(`generator ${victim.name} \\(${victim.agentId}\\) lost`),
    );
    const abort = await abortedAt(cluster.api, run.id);
    // Frozen well past its lease and past the abort.
    await waitFor(
      () => performance.now() > Math.max(stoppedAt + LEASE_MS + 1500, abort.atPerf + 1500),
      20_000,
      'the lease to pass',
    );
    const fromVictimBefore = target.select('/stop').filter((h) => h.headers['x-gen'] === victimGen);
    const contAt = performance.now();
    process.kill(victim.pid, 'SIGCONT');
    await delay(3000);
    const resumed = target.after(contAt, '/stop').filter((h) => h.headers['x-gen'] === victimGen);
    assert.equal(
      resumed.length,
      0,
      `${resumed.length} requests from the frozen agent after SIGCONT (it had sent ${fromVictimBefore.length})`,
    );
    const late = target.after(abort.atPerf + 1000, '/stop');
    assert.equal(late.length, 0, `${late.length} requests more than 1 s after the abort`);
    // Declared lost, it is told to terminate when it comes back, and exits.
    await waitFor(
      () => victim.done,
      20_000,
      () => `the revived agent to exit\n${victim.stderr()}`,
    );
  } finally {
    try {
      process.kill(victim.pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
});

test('network cut between an agent (in a network namespace) and the controller: its load stops within the lease', async (t) => {
  const probe = netnsAvailable();
  if (!probe.ok) {
    t.skip(`network namespaces are not available here: ${probe.why}`);
    return;
  }
  const tag = String(process.pid % 100_000);
  const ns = `stp${tag}`;
  const octet = String(process.pid % 250);
  const ctlHost = `10.231.${octet}.1`;
  const tgtHost = `10.232.${octet}.1`;
  const c = new Cluster();
  try {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    // Two links: one to the controller (cut below), one to the target (kept).
    for (const [link, net] of [
      [`stc${tag}`, '10.231'],
      [`stt${tag}`, '10.232'],
    ] as const) {
      ip('link', 'add', `${link}h`, 'type', 'veth', 'peer', 'name', `${link}n`);
      ip('link', 'set', `${link}n`, 'netns', ns);
      ip('addr', 'add', `${net}.${octet}.1/30`, 'dev', `${link}h`);
      ip('link', 'set', `${link}h`, 'up');
      ip('-n', ns, 'addr', 'add', `${net}.${octet}.2/30`, 'dev', `${link}n`);
      ip('-n', ns, 'link', 'set', `${link}n`, 'up');
    }
    const nsTarget = await c.target(tgtHost);
    await c.startServer({ host: ctlHost, lease: '4s', args: ['--allow-target', tgtHost] });
    const inside = await c.startAgent({ name: 'ns1', netns: ns });
    const outside = await c.startAgent({ name: 'host1' });
    await c.waitIdle(2);
    const { run, indexOf } = await startLoad(c.api, nsTarget, 'cut', 2);
    const insideGen = indexOf(inside);
    assert.ok(
      nsTarget.select('/cut').some((h) => h.headers['x-gen'] === insideGen),
      'the namespaced agent reaches the target',
    );
    ip('-n', ns, 'link', 'set', `stc${tag}n`, 'down');
    const cutAt = performance.now();

    const view = await c.api.waitStatus(run.id, ['aborted', 'errored', 'failed', 'passed'], 30_000);
    assert.equal(view.status, 'aborted', view.statusReason);
    assert.match(
      view.statusReason,
      new RegExp(`generator ${inside.name} \\(${inside.agentId}\\) lost`),
    );
    const abort = await abortedAt(c.api, run.id);
    await waitFor(
      () => performance.now() > Math.max(cutAt + LEASE_MS + 2500, abort.atPerf + 2500),
      20_000,
      'the lease to pass',
    );
    const fromInside = nsTarget.select('/cut').filter((h) => h.headers['x-gen'] === insideGen);
    const lastInside = (fromInside.at(-1)?.atMs ?? cutAt) - cutAt;
    t.diagnostic(
      `cut-off agent's last request ${lastInside.toFixed(0)} ms after the cut; run aborted ${(abort.atPerf - cutAt).toFixed(0)} ms after it`,
    );
    assert.ok(
      fromInside.some((h) => h.atMs > cutAt),
      'the target link stayed up after the cut',
    );
    assert.ok(
      lastInside <= LEASE_MS + 1000,
      `the cut-off agent's last request came ${lastInside.toFixed(0)} ms after the cut (lease ${LEASE_MS} ms)`,
    );
    const late = nsTarget.after(abort.atPerf + 1000, '/cut');
    assert.equal(late.length, 0, `${late.length} requests more than 1 s after the abort`);
    assert.match(inside.stderr(), /lease expired: stopping run/);
    assert.equal(outside.done, false);
  } finally {
    await c.cleanup();
    // Deleting one end of a veth pair deletes both; the namespace may outlive its name a while.
    for (const args of [
      ['link', 'del', `stc${tag}h`],
      ['link', 'del', `stt${tag}h`],
      ['netns', 'del', ns],
    ]) {
      try {
        ip(...args);
      } catch {
        // not created
      }
    }
  }
});
