import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { scenarioSchema } from '@stampede/protocol';
import { systemClock } from '../clock.ts';
import type { ExecutorRunner } from '../executors/types.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';
import { startHttpServer, startHttpsServer } from '../transport/http/test-servers.ts';
import { createFastRunner } from './executor-adapter.ts';
import { resolveTemplates } from './shared.ts';
import { startRawServer, totals } from './test-helpers.ts';
import type { FastRequestTemplate } from './types.ts';

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const THIRDS = ['0:1/3', '1/3:2/3', '2/3:1'].map((segment) =>
  SegmentPlan.parse([{ segment, sequence: '0,1/3,2/3,1' }]),
);

interface Outcome {
  runner: ExecutorRunner;
  registry: MetricRegistry;
  tookMs: number;
  vus: [number, number][];
}

async function runScenario(
  raw: Record<string, unknown>,
  templates: FastRequestTemplate[],
  options: {
    plan?: SegmentPlan;
    pipelining?: number;
    timeoutMs?: number;
    rejectUnauthorized?: boolean;
    registry?: MetricRegistry;
    during?: (runner: ExecutorRunner) => void;
    /** Runs the worker's prepare step first, then this before the start. */
    prepared?: () => Promise<void> | void;
  } = {},
): Promise<Outcome> {
  const registry = options.registry ?? new MetricRegistry();
  const vus: [number, number][] = [];
  const runner = createFastRunner(
    's',
    scenarioSchema.parse(raw),
    options.plan ?? SegmentPlan.full(),
    {
      resolved: await resolveTemplates(templates, 'test'),
      registry,
      clock: systemClock,
      testTags: { suite: 'adapter' },
      pipelining: options.pipelining ?? 1,
      timeoutMs: options.timeoutMs ?? 5000,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      onVus: (active, allocated) => vus.push([active, allocated]),
    },
  );
  if (options.prepared) {
    await runner.prepare();
    await options.prepared();
  }
  const started = performance.now();
  const done = runner.run(systemClock.now());
  options.during?.(runner);
  await done;
  return { runner, registry, tookMs: performance.now() - started, vus };
}

test('per-vu-iterations: VUs x iterations passes over the templates on one connection per VU', async () => {
  let hits = 0;
  const server = await startHttpServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  try {
    const { runner, registry } = await runScenario(
      { executor: 'per-vu-iterations', vus: 3, iterations: 5 },
      [
        { method: 'GET', url: `${server.url}/a`, expectStatus: 200 },
        { method: 'POST', url: `${server.url}/b`, body: 'x', name: 'b' },
      ],
    );
    assert.equal(hits, 30);
    assert.equal(server.connections(), 3);
    const p = runner.progress();
    assert.equal(p.iterationsCompleted, 15);
    assert.equal(p.iterationsStarted, 15);
    assert.equal(p.done, true);
    assert.equal(runner.maxVus, 3);
    // One snapshot only: taking it starts a new interval.
    const series = registry.snapshot('t', 0, 0, 0, []).series;
    const count = (metric: string, name?: string): number =>
      series
        .filter((s) => s.metric === metric && (name === undefined || s.tags['name'] === name))
        .reduce(
          (n, s) =>
            n + (s.type === 'counter' ? s.value : s.type === 'rate' ? s.passes + s.fails : 0),
          0,
        );
    assert.equal(count('http_reqs'), 30);
    assert.equal(count('http_reqs', 'b'), 15);
    assert.equal(count('iterations'), 15);
    assert.equal(count('checks'), 15);
    const req = series.find((s) => s.metric === 'http_reqs');
    assert.equal(req?.tags['scenario'], 's');
    assert.equal(req?.tags['suite'], 'adapter');
    assert.equal(req?.tags['expected_response'], 'true');
    assert.equal(req?.tags['method'] !== undefined && req.tags['status'], '200');
  } finally {
    await server.close();
  }
});

test('shared-iterations: segments add up to the exact total, with and without pipelining', async () => {
  let hits = 0;
  const server = await startHttpServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  try {
    for (const pipelining of [1, 4]) {
      hits = 0;
      const registry = new MetricRegistry();
      let completed = 0;
      for (const plan of THIRDS) {
        const { runner } = await runScenario(
          { executor: 'shared-iterations', vus: 4, iterations: 23 },
          [{ method: 'GET', url: server.url }],
          { plan, pipelining, registry },
        );
        completed += runner.progress().iterationsCompleted;
      }
      assert.equal(hits, 23, `pipelining ${pipelining}`);
      assert.equal(completed, 23);
      assert.equal(totals(registry).get('http_reqs'), 23);
    }
  } finally {
    await server.close();
  }
});

test('constant-arrival-rate: segments start exactly their share of the schedule', async () => {
  let hits = 0;
  const server = await startHttpServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  try {
    const registry = new MetricRegistry();
    let started = 0;
    let dropped = 0;
    await Promise.all(
      THIRDS.map(async (plan) => {
        const { runner } = await runScenario(
          { executor: 'constant-arrival-rate', rate: 200, duration: '300ms', preAllocatedVUs: 5 },
          [{ method: 'GET', url: server.url }],
          { plan, registry },
        );
        started += runner.progress().iterationsStarted;
        dropped += runner.progress().dropped;
      }),
    );
    assert.equal(started + dropped, 60);
    assert.equal(hits, started);
    const t = totals(registry);
    assert.equal(t.get('http_reqs'), started);
    assert.equal(t.get('http_req_service_time'), started);
    assert.equal(t.get('send_lag'), started);
  } finally {
    await server.close();
  }
});

test('arrival rate with every VU busy drops iterations and records dropped_iterations', async () => {
  const server = await startHttpServer((_req, res) => {
    setTimeout(() => res.end('slow'), 250);
  });
  try {
    const { runner, registry } = await runScenario(
      {
        executor: 'ramping-arrival-rate',
        startRate: 50,
        stages: [{ duration: '200ms', target: 50 }],
        preAllocatedVUs: 1,
        maxVUs: 1,
      },
      [{ method: 'GET', url: server.url }],
    );
    const p = runner.progress();
    assert.equal(p.iterationsStarted, 1);
    assert.equal(p.dropped, 9);
    assert.equal(totals(registry).get('dropped_iterations'), 9);
    assert.equal(p.iterationsCompleted, 1);
  } finally {
    await server.close();
  }
});

test('arrival rate: prepare opens the pre-allocated connections before the start, sends nothing', async () => {
  let hits = 0;
  let hitsBeforeStart = -1;
  let connectionsBeforeStart = -1;
  const server = await startHttpServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  try {
    const { runner, registry } = await runScenario(
      { executor: 'constant-arrival-rate', rate: 100, duration: '300ms', preAllocatedVUs: 4 },
      [{ method: 'GET', url: server.url }],
      {
        prepared: async () => {
          // The client saw its connects complete; the server accepts them on its next turn.
          for (let i = 0; i < 100 && server.connections() < 4; i++) await sleepMs(10);
          connectionsBeforeStart = server.connections();
          hitsBeforeStart = hits;
        },
      },
    );
    assert.equal(connectionsBeforeStart, 4);
    assert.equal(hitsBeforeStart, 0);
    // One request every 10 ms is served long before the next: the open connections suffice.
    assert.equal(server.connections(), 4);
    assert.equal(runner.progress().iterationsStarted, 30);
    assert.equal(hits, 30);
    const t = totals(registry);
    assert.equal(t.get('http_reqs'), 30);
    assert.equal(t.get('dropped_iterations') ?? 0, 0);
  } finally {
    await server.close();
  }
});

test('arrival rate: prepare against a closed port records nothing; the run then fails each request', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  const url = server.url;
  await server.close();
  const registry = new MetricRegistry();
  const { runner } = await runScenario(
    { executor: 'constant-arrival-rate', rate: 50, duration: '100ms', preAllocatedVUs: 3 },
    [{ method: 'GET', url }],
    { registry, prepared: () => assert.equal(totals(registry).size, 0) },
  );
  const started = runner.progress().iterationsStarted;
  assert.equal(started + runner.progress().dropped, 5);
  const t = totals(registry);
  assert.equal(t.get('http_reqs'), started);
  assert.equal(t.get('http_reqs{error_code=ECONNREFUSED}'), started);
});

test('constant-vus runs its duration; ramping-vus follows the stages', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  try {
    const constant = await runScenario({ executor: 'constant-vus', vus: 3, duration: '200ms' }, [
      { method: 'GET', url: server.url },
    ]);
    assert.ok(constant.tookMs >= 190 && constant.tookMs < 2000, `took ${constant.tookMs}`);
    const t = totals(constant.registry);
    assert.ok((t.get('http_reqs') ?? 0) > 10);
    assert.equal(t.get('http_reqs'), t.get('iterations'));
    assert.equal(server.connections(), 3);
    assert.ok(constant.vus.some(([active, allocated]) => active === 3 && allocated === 3));

    const before = server.connections();
    const ramp = await runScenario(
      {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { duration: '150ms', target: 4 },
          { duration: '150ms', target: 0 },
        ],
      },
      [{ method: 'GET', url: server.url }],
    );
    assert.equal(server.connections() - before, 4);
    assert.equal(Math.max(...ramp.vus.map(([a]) => a)), 4);
    assert.equal(ramp.runner.maxVus, 4);
    assert.ok((totals(ramp.registry).get('http_reqs') ?? 0) > 0);
  } finally {
    await server.close();
  }
});

test('gracefulStop interrupts stuck iterations and records their requests as EABORTED', async () => {
  const hang = await startRawServer((_s: Socket) => {});
  try {
    const { runner, registry, tookMs } = await runScenario(
      { executor: 'constant-vus', vus: 2, duration: '100ms', gracefulStop: '100ms' },
      [{ method: 'GET', url: `http://127.0.0.1:${hang.port}/` }],
    );
    assert.ok(tookMs >= 190 && tookMs < 2000, `took ${tookMs}`);
    const p = runner.progress();
    assert.equal(p.iterationsInterrupted, 2);
    assert.equal(p.iterationsCompleted, 0);
    const t = totals(registry);
    assert.equal(t.get('http_reqs{error_code=EABORTED}'), 2);
    assert.equal(t.get('iterations'), undefined);

    const hard = await runScenario(
      { executor: 'constant-vus', vus: 2, duration: '30s' },
      [{ method: 'GET', url: `http://127.0.0.1:${hang.port}/` }],
      { during: (r) => setTimeout(() => r.stop(false), 100) },
    );
    assert.ok(hard.tookMs < 2000, `hard stop took ${hard.tookMs}`);
    assert.equal(hard.runner.progress().iterationsInterrupted, 2);
  } finally {
    await hang.close();
  }
});

test('https: TLS connections with insecureSkipTLSVerify, and ETLS when verifying a self-signed cert', async () => {
  const server = await startHttpsServer((_req, res) => res.end('ok'));
  try {
    const url = server.url.replace('127.0.0.1', 'localhost');
    const ok = await runScenario(
      { executor: 'shared-iterations', vus: 2, iterations: 6 },
      [{ method: 'GET', url }],
      { rejectUnauthorized: false },
    );
    const t = totals(ok.registry);
    assert.equal(t.get('http_reqs{status=200}'), 6);
    assert.equal(server.connections(), 2);
    const bad = await runScenario({ executor: 'shared-iterations', vus: 1, iterations: 2 }, [
      { method: 'GET', url },
    ]);
    assert.equal(totals(bad.registry).get('http_reqs{error_code=ETLS}'), 2);
  } finally {
    await server.close();
  }
});
