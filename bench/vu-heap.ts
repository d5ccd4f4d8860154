// In-process probe of what one sleeping VU costs: N VUs of the engine's own machinery (executor,
// VU host, script API `sleep`), no CLI and no worker thread; after `--at` seconds a full GC, then
// the live heap per VU (and optionally a heap snapshot to see where it goes). A tool for work on
// bench/vus.ts, not part of `npm run bench`:
//
//   node --expose-gc bench/vu-heap.ts [--vus 20000] [--at 2.5] [--snapshot FILE]
import { writeHeapSnapshot } from 'node:v8';
import { systemClock } from '../packages/engine/src/clock.ts';
import { createExecutor } from '../packages/engine/src/executors/index.ts';
import { MetricRegistry } from '../packages/engine/src/metrics/registry.ts';
import { resolvePlan } from '../packages/engine/src/options/plan.ts';
import type { VuState } from '../packages/engine/src/runtime/context.ts';
import { sleep } from '../packages/engine/src/runtime/flow.ts';
import { installScriptRuntime } from '../packages/engine/src/runtime/install.ts';
import { segmentPlanFromLevels } from '../packages/engine/src/segment/index.ts';
import { ErrorLog } from '../packages/engine/src/worker/error-log.ts';
import { createVuHost } from '../packages/engine/src/worker/vu-host.ts';
import { parseFlags } from './lib/args.ts';

const opts = parseFlags(
  'node --expose-gc bench/vu-heap.ts',
  {
    vus: { kind: 'number', default: 20_000, help: 'VUs' },
    at: { kind: 'number', default: 2.5, help: 'seconds before measuring' },
    snapshot: { kind: 'string', default: '', help: 'write a heap snapshot to this file' },
  },
  process.argv.slice(2),
);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const registry = new MetricRegistry();
const runtime = installScriptRuntime({ registry, baseDir: process.cwd(), env: {} });
const plan = resolvePlan({}, { vus: opts.vus, durationMs: (opts.at + 1) * 1000 });
runtime.setOptions(plan.options);
const [name, scenario] = Object.entries(plan.scenarios)[0] ?? [];
if (name === undefined || scenario === undefined) throw new Error('no scenario');
const host = createVuHost({
  clock: systemClock,
  registry,
  runtime,
  errors: new ErrorLog(),
  vus: new Map<number, VuState>(),
  scenarioName: name,
  scenario,
  vuIdOffset: 0,
  testTags: {},
  fn: async () => {
    await sleep(1);
  },
  setupData: undefined,
  userAgent: 'vu-heap',
  keepAlive: true,
  keepCookies: false,
  env: {},
  onVus() {},
});
const runner = createExecutor(name, scenario, segmentPlanFromLevels([]), host);
gc();
const baseBytes = process.memoryUsage().heapUsed;
const done = runner.run(systemClock.now());
setTimeout(() => {
  gc();
  const perVu = (process.memoryUsage().heapUsed - baseBytes) / opts.vus;
  const p = runner.progress();
  console.log(
    `${opts.vus} VUs, ${p.iterationsCompleted} iterations done: live heap ${Math.round(perVu)} bytes per sleeping VU`,
  );
  if (opts.snapshot) console.log(`heap snapshot: ${writeHeapSnapshot(opts.snapshot)}`);
}, opts.at * 1000);
await done;
