// prepareRun/start as an agent uses them: prefixed sources, every snapshot handed out, setup data
// given at start, and the lease gate stopping load on both paths with no request after it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declarativeTestSchema, type IntervalSnapshot } from '@stampede/protocol';
import { LeaseGate, monotonicMs } from '../worker/lease-gate.ts';
import { prepareTest } from './prepare.ts';
import { prepareRun } from './prepared-run.ts';

let server: Server;
let url = '';
const hits: { atMonoMs: number; path: string }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'stampede-prepared-run-'));

before(async () => {
  server = createServer((req, res) => {
    hits.push({ atMonoMs: monotonicMs(), path: req.url ?? '' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

test('prepare then start: prefixed sources, every snapshot, setup data given at start, scenario results', async () => {
  const file = script(
    'data.js',
    `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 6 } } };
export function setup() { throw new Error('setup must not run here'); }
export function teardown() { throw new Error('teardown must not run here'); }
export default async function (data) { await http.get(__ENV.TARGET + '/data?n=' + data.n); }
`,
  );
  const prepared = await prepareTest({ source: { file }, env: { TARGET: url } });
  const snapshots: IntervalSnapshot[] = [];
  const run = await prepareRun(prepared, {
    workers: 2,
    intervalMs: 200,
    sourcePrefix: 'g1',
    segment: '1/2:1',
    segmentSequence: '0,1/2,1',
    setup: { run: false },
    teardown: false,
    onSnapshot: (s) => snapshots.push(s),
  });
  assert.equal(run.setupDataJson, null);
  const before = hits.length;
  const outcome = await run.start(Date.now() + 100, { setupDataJson: '{"n":7}' }).done;
  const mine = hits.slice(before);
  // Half of 6 iterations: this generator holds segment 1/2:1.
  assert.equal(mine.length, 3);
  assert.ok(mine.every((h) => h.path === '/data?n=7'));
  assert.deepEqual(outcome.scenarios, { s: { iterations: 3, droppedIterations: 0 } });
  assert.equal(outcome.failure, null);
  const sources = [...new Set(snapshots.map((s) => s.source))].sort();
  assert.deepEqual(sources, ['g1.main', 'g1.w0', 'g1.w1']);
  for (const source of sources) {
    const seqs = snapshots.filter((s) => s.source === source).map((s) => s.seq);
    assert.deepEqual(seqs, [...seqs.keys()], `${source} seqs run from 0 without gaps`);
  }
});

async function leaseStops(kind: 'scripted' | 'fast'): Promise<void> {
  const source =
    kind === 'scripted'
      ? {
          file: script(
            'lease.js',
            `import { http } from 'stampede';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '20s', gracefulStop: '10s' } } };
export default async function () { await http.get(__ENV.TARGET + '/lease-scripted'); }
`,
          ),
        }
      : {
          declarative: declarativeTestSchema.parse({
            options: { vus: 4, duration: '20s' },
            requests: [{ method: 'GET', url: `${url}/lease-fast` }],
          }),
          baseDir: dir,
        };
  const prepared = await prepareTest({ source, env: { TARGET: url } });
  assert.equal(prepared.path.kind, kind);
  const gate = LeaseGate.create();
  const run = await prepareRun(prepared, {
    workers: 2,
    leaseGate: gate.buffer,
    abortOnThresholds: false,
  });
  // The lease is granted once the workers are ready, as an agent's heartbeats would keep it.
  const leaseMs = 800;
  gate.extendUntil(monotonicMs() + leaseMs);
  const deadline = monotonicMs() + leaseMs;
  const startedAt = monotonicMs();
  const outcome = await run.start(Date.now()).done;
  const path = `/lease-${kind}`;
  const sent = hits.filter((h) => h.path === path);
  assert.ok(sent.length > 10, `load ran before the deadline (${sent.length} requests)`);
  const last = Math.max(...sent.map((h) => h.atMonoMs));
  // The target runs in this process, so on a loaded machine it may log a request sent just
  // before the deadline a few ms late; 50 ms is still far inside any lease.
  assert.ok(
    last <= deadline + 50,
    `last request ${(last - deadline).toFixed(1)} ms after the deadline`,
  );
  assert.ok(monotonicMs() - startedAt < 5000, 'the run ended on its own, long before 20 s');
  assert.ok(outcome.scenarios['default'] ?? outcome.scenarios['s']);
  const count = sent.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(hits.filter((h) => h.path === path).length, count, 'no request after the run');
}

test('lease gate: the scripted path sends nothing once the deadline passed and ends by itself', () =>
  leaseStops('scripted'));

test('lease gate: the fast path sends nothing once the deadline passed and ends by itself', () =>
  leaseStops('fast'));
