import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioSchema } from '@stampede/protocol';
import { ManualClock } from '../clock.ts';
import { createExecutor } from '../executors/index.ts';
import { runToEnd } from '../executors/testing.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { currentIteration, type IterationContext, type VuState } from '../runtime/context.ts';
import type { ScriptRuntime } from '../runtime/install.ts';
import { SegmentPlan } from '../segment/segment-plan.ts';
import { ErrorLog } from './error-log.ts';
import { createVuHost } from './vu-host.ts';

interface Seen {
  ctx: IterationContext;
  vu: number;
  vuIteration: number;
  scenarioIteration: number;
  iter: number;
  aborted: boolean;
}

function setup(
  fn: (seen: Seen[], clock: ManualClock) => (data: unknown) => unknown,
  input: object,
) {
  const clock = new ManualClock(1000);
  const registry = new MetricRegistry();
  const errors = new ErrorLog();
  const seen: Seen[] = [];
  const scenario = scenarioSchema.parse({ executor: 'per-vu-iterations', ...input });
  const host = createVuHost({
    clock,
    registry,
    runtime: {} as ScriptRuntime,
    errors,
    vus: new Map<number, VuState>(),
    scenarioName: 's',
    scenario,
    vuIdOffset: 0,
    testTags: {},
    fn: fn(seen, clock),
    setupData: undefined,
    userAgent: 'test',
    keepAlive: true,
    keepCookies: false,
    env: {},
    onVus() {},
  });
  const runner = createExecutor('s', scenario, SegmentPlan.full(), host);
  return { clock, registry, errors, seen, runner };
}

function record(seen: Seen[]): void {
  const ctx = currentIteration() as IterationContext;
  seen.push({
    ctx,
    vu: ctx.vu.id,
    vuIteration: ctx.vuIteration,
    scenarioIteration: ctx.scenarioIteration,
    iter: ctx.vu.iterations,
    aborted: ctx.signal.aborted,
  });
}

test('vu-host: each iteration sees its own numbers while a VU reuses one context', async () => {
  const { clock, registry, seen, runner } = setup(
    (seen, clock) => async () => {
      record(seen);
      await new Promise<void>((r) => clock.setTimer(r, 100));
      // Still this iteration after an await.
      assert.equal(currentIteration()?.vuIteration, seen.at(-1)?.vuIteration);
    },
    { vus: 2, iterations: 3 },
  );
  await runToEnd(runner, clock, { stepMs: 10 });
  assert.equal(seen.length, 6);
  for (const vu of [1, 2]) {
    const mine = seen.filter((s) => s.vu === vu);
    assert.deepEqual(
      mine.map((s) => [s.vuIteration, s.iter]),
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    );
    assert.deepEqual(
      mine.map((s) => s.scenarioIteration),
      mine.map((s) => s.vuIteration * 2 + vu - 1),
    );
    // One context object per VU, updated for every iteration.
    assert.equal(new Set(mine.map((s) => s.ctx)).size, 1);
  }
  const snap = registry.snapshot('w', 0, 0, 1, []);
  const iterations = snap.series.find((s) => s.metric === 'iterations');
  assert.equal(iterations?.type === 'counter' ? iterations.value : 0, 6);
});

test('vu-host: an interrupted iteration sees its signal aborted and is not a script error', async () => {
  const { clock, errors, seen, runner } = setup(
    (seen, clock) => async () => {
      record(seen);
      const it = currentIteration() as IterationContext;
      // The VU's first iteration hangs until it is interrupted at maxDuration.
      const ms = it.vu.id === 1 && it.vuIteration === 0 ? 10_000 : 100;
      await new Promise<void>((resolve, reject) => {
        clock.setTimer(resolve, ms);
        it.signal.addEventListener('abort', () => reject(it.signal.reason as Error));
      });
    },
    { vus: 1, iterations: 2, maxDuration: '1s', gracefulStop: '0s' },
  );
  await runToEnd(runner, clock, { stepMs: 10 });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.ctx.signal.aborted, true);
  // Interrupted iterations are not script errors.
  assert.deepEqual(errors.drain(), []);
  const p = runner.progress();
  assert.deepEqual([p.iterationsStarted, p.iterationsInterrupted], [1, 1]);
});

test('vu-host: a script error is logged and the VU carries on', async () => {
  const { clock, errors, seen, runner } = setup(
    (seen) => () => {
      record(seen);
      if (seen.length === 1) throw new Error('boom');
      return Promise.reject(new Error('async boom'));
    },
    { vus: 1, iterations: 3 },
  );
  await runToEnd(runner, clock, { stepMs: 10 });
  assert.equal(seen.length, 3);
  assert.deepEqual(
    seen.map((s) => s.iter),
    [0, 1, 2],
  );
  const logged = errors.drain().map((e) => [e.message.split('\n')[0], e.repeated]);
  assert.deepEqual(logged, [
    ['s: Error: boom', 1],
    ['s: Error: async boom', 2],
  ]);
});
