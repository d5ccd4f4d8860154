// Entry of a load worker thread: loads the test bundle, runs its share of the plan, streams
// interval snapshots to the main thread.
import { parentPort } from 'node:worker_threads';
import { systemClock } from '../clock.ts';
import { EngineError } from '../errors.ts';
import { createExecutor } from '../executors/index.ts';
import type { ExecutorRunner } from '../executors/types.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import type { VuState } from '../runtime/context.ts';
import { installScriptRuntime } from '../runtime/install.ts';
import { importBundle } from '../run/script-module.ts';
import { segmentPlanFromLevels } from '../segment/index.ts';
import { targetChecker } from './allow-list.ts';
import { ErrorLog } from './error-log.ts';
import { HealthMonitor } from './health.ts';
import type { FromWorker, ToWorker, WorkerInit } from './messages.ts';
import { createVuHost } from './vu-host.ts';
import { vuIdOffsets } from './vu-offsets.ts';

process.setSourceMapsEnabled(true);
const port = parentPort;
if (!port) throw new Error('load-worker.ts must run in a worker thread');

const post = (msg: FromWorker): void => port.postMessage(msg);

let runners: ExecutorRunner[] = [];
let registry: MetricRegistry | undefined;
let init: WorkerInit | undefined;
const errors = new ErrorLog();
const vus = new Map<number, VuState>();

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    void prepare(msg).catch((error: unknown) => {
      const e =
        error instanceof EngineError
          ? error
          : new EngineError('INTERNAL', String((error as Error)?.stack ?? error));
      post({ type: 'init-error', code: e.code, message: e.message, details: e.details });
    });
  } else if (msg.type === 'start') {
    void start(msg.startAtEpochMs);
  } else if (msg.type === 'stop') {
    for (const r of runners) r.stop(msg.graceful);
  }
});

async function prepare(msg: WorkerInit): Promise<void> {
  init = msg;
  registry = new MetricRegistry();
  const checkTarget = targetChecker(msg.allowTargets);
  const runtime = installScriptRuntime({
    registry,
    baseDir: msg.baseDir,
    env: msg.env,
    ...(checkTarget ? { checkTarget } : {}),
  });
  runtime.setOptions(msg.plan.options);
  const mod = await importBundle(msg.bundlePath, msg.baseDir);
  const setupData: unknown = msg.setupDataJson === null ? undefined : JSON.parse(msg.setupDataJson);
  const segmentPlan = segmentPlanFromLevels(msg.segments);
  const vuCounts = new Map<string, { active: number; allocated: number }>();
  const reg = registry;
  const publishVus = (): void => {
    let active = 0;
    let allocated = 0;
    for (const c of vuCounts.values()) {
      active += c.active;
      allocated += c.allocated;
    }
    reg.add('vus', {}, active);
    reg.add('vus_max', {}, allocated);
  };
  const offsets = vuIdOffsets(msg.plan.scenarios);
  runners = Object.entries(msg.plan.scenarios).map(([name, scenario]) => {
    const fn = mod[scenario.exec];
    if (typeof fn !== 'function') {
      throw new EngineError(
        'INVALID_OPTIONS',
        `options.scenarios.${name}.exec: the script exports no function named "${scenario.exec}"`,
      );
    }
    const host = createVuHost({
      clock: systemClock,
      registry: reg,
      runtime,
      errors,
      vus,
      scenarioName: name,
      scenario,
      vuIdOffset: offsets.get(name) ?? 0,
      testTags: msg.plan.options.tags,
      fn: fn as (data: unknown) => unknown,
      setupData,
      userAgent: msg.plan.options.userAgent,
      keepAlive: !msg.plan.options.noConnectionReuse,
      keepCookies: msg.plan.options.noCookiesReset,
      env: msg.env,
      onVus(active, allocated) {
        vuCounts.set(name, { active, allocated });
        publishVus();
      },
    });
    return createExecutor(name, scenario, segmentPlan, host);
  });
  post({ type: 'ready', maxVus: runners.reduce((n, r) => n + r.maxVus, 0) });
}

async function start(startAtEpochMs: number): Promise<void> {
  const reg = registry;
  const cfg = init;
  if (!reg || !cfg) return;
  const health = new HealthMonitor(cfg.workerId);
  const startAt = systemClock.now() + (startAtEpochMs - systemClock.epochMs());
  let seq = 0;
  let intervalStart = startAtEpochMs;
  const flush = (): void => {
    const end = systemClock.epochMs();
    for (const e of errors.drain())
      post({ type: 'log', level: 'error', message: e.message, repeated: e.repeated });
    const snapshot = reg.snapshot(cfg.workerId, seq++, intervalStart, end, [health.read()]);
    intervalStart = end;
    post({ type: 'snapshot', snapshot, progress: runners.map((r) => r.progress()) });
  };
  // Align interval boundaries to the start instant so every worker's interval n covers the same second.
  let next = startAt + cfg.intervalMs;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    flush();
    next += cfg.intervalMs;
    timer = setTimeout(tick, Math.max(0, next - systemClock.now()));
  };
  timer = setTimeout(tick, Math.max(0, next - systemClock.now()));
  await Promise.all(runners.map((r) => r.run(startAt)));
  clearTimeout(timer);
  for (const vu of vus.values()) vu.agent.close();
  flush();
  health.stop();
  post({ type: 'done' });
}
