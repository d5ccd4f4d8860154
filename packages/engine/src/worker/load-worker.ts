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
import { reportingTargetChecker, targetChecker } from './allow-list.ts';
import { ErrorLog } from './error-log.ts';
import { describeError } from '../run/script-module.ts';
import { createFastRunners } from './fast-runners.ts';
import { HealthMonitor } from './health.ts';
import { createLeaseGuard, type LeaseGuard } from './lease-guard.ts';
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
// An async helper called without `await` that throws must not kill the whole worker (and the
// run): it counts as an iteration error, logged with its script location, deduplicated per
// interval like the others.
process.on('unhandledRejection', (reason: unknown) => {
  errors.add(
    `unhandled Promise rejection (an async call without await?): ${describeError(reason)}`,
  );
});
const vus = new Map<number, VuState>();
// Lease gate hook (agent runs only): see lease-guard.ts. setupData may arrive with `start` when
// another generator ran setup(), so iterations read the current value, not the init's.
let lease: LeaseGuard | undefined;
let setupData: unknown;

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
    if (msg.setupDataJson !== undefined) setupData = parseSetupData(msg.setupDataJson);
    void start(msg.startAtEpochMs);
  } else if (msg.type === 'stop') {
    for (const r of runners) r.stop(msg.graceful);
  }
});

async function prepare(msg: WorkerInit): Promise<void> {
  init = msg;
  if (msg.leaseGate !== undefined) {
    lease = createLeaseGuard(msg.leaseGate, () =>
      post({ type: 'log', level: 'warn', message: 'lease expired: load stopped', repeated: 1 }),
    );
  }
  registry = new MetricRegistry();
  const reg = registry;
  const segmentPlan = segmentPlanFromLevels(msg.segments);
  const vuCounts = new Map<string, { active: number; allocated: number }>();
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
  if (msg.fastPath !== undefined) {
    // Request templates need no script runtime and no bundle: nothing runs per request.
    runners = await createFastRunners(msg, msg.fastPath, reg, segmentPlan, (name) => {
      return (active, allocated) => {
        vuCounts.set(name, { active, allocated });
        publishVus();
      };
    });
    post({ type: 'ready', maxVus: runners.reduce((n, r) => n + r.maxVus, 0) });
    return;
  }
  const allowed = targetChecker(msg.allowTargets);
  const checkTarget =
    allowed &&
    reportingTargetChecker(allowed, (origin, message) =>
      post({ type: 'log', level: 'warn', message, repeated: 1, onceKey: `ETARGET ${origin}` }),
    );
  const runtime = installScriptRuntime({
    registry,
    baseDir: msg.baseDir,
    env: msg.env,
    ...(checkTarget ? { checkTarget } : {}),
  });
  runtime.setOptions(msg.plan.options);
  const mod = await importBundle(msg.bundlePath, msg.entryPath);
  setupData = parseSetupData(msg.setupDataJson);
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
      fn: () => (fn as (data: unknown) => unknown)(setupData),
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
    return createExecutor(name, scenario, segmentPlan, lease ? lease.gateHost(host) : host);
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
  lease?.watch(() => runners);
  await Promise.all(runners.map((r) => r.run(startAt)));
  lease?.unwatch();
  clearTimeout(timer);
  for (const vu of vus.values()) vu.agent.close();
  flush();
  health.stop();
  post({ type: 'done' });
}

function parseSetupData(json: string | null): unknown {
  return json === null ? undefined : JSON.parse(json);
}
