// The run host: a worker thread that prepares and runs one test with the engine and starts the
// load workers itself. User code (init, setup(), teardown()) and the engine's bookkeeping then
// never share the supervisor's event loop, the script API's globals stay out of the supervisor,
// and each run starts from a fresh module cache. It exits after the run.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import {
  EngineError,
  decodeTestArchive,
  planReport,
  prepareRun,
  prepareTest,
  unpackTestArchive,
  type OptionOverrides,
  type PreparedRun,
  type RunHandle,
  type RunOutcome,
} from '@stampede/engine';
import type { FromRunHost, HostError, HostPrepare, ToRunHost } from './run-host-messages.ts';

const port = parentPort;
if (!port) throw new Error('run-host.ts must run in a worker thread');
const post = (msg: FromRunHost): void => port.postMessage(msg);

let prepared: PreparedRun | undefined;
let handle: RunHandle | undefined;
let pendingStop: { graceful: boolean; reason: string } | undefined;

port.on('message', (msg: ToRunHost) => {
  if (msg.type === 'prepare') {
    void prepare(msg).catch((error: unknown) =>
      post({ type: 'failed', error: toHostError(error) }),
    );
  } else if (msg.type === 'start') {
    if (!prepared || handle) return;
    handle = prepared.start(msg.startAtEpochMs, { setupDataJson: msg.setupDataJson });
    if (pendingStop) handle.stop(pendingStop.graceful, pendingStop.reason);
    void handle.done.then(finished, (error: unknown) =>
      post({ type: 'failed', error: toHostError(error) }),
    );
  } else if (msg.type === 'stop') {
    if (handle) handle.stop(msg.graceful, msg.reason);
    else if (prepared) void prepared.abort(msg.reason).then(finished);
    else pendingStop = { graceful: msg.graceful, reason: msg.reason };
  }
});

async function prepare(msg: HostPrepare): Promise<void> {
  const cmd = msg.command;
  const bytes = new Uint8Array(await readFile(msg.archivePath));
  const archive = decodeTestArchive(bytes, msg.archiveSha256);
  const bundle = await unpackTestArchive(archive, msg.runDir);
  const test = await prepareTest({
    source: { bundle },
    overrides: parseOverrides(cmd.overridesJson),
    // Which share of the run this is (scripts may tell generators apart, as k6 cloud's
    // LI_INSTANCE_ID does); set last so the run's env cannot fake it.
    env: {
      ...cmd.env,
      STAMPEDE_GENERATOR_INDEX: String(cmd.generatorIndex),
      STAMPEDE_GENERATOR_COUNT: String(cmd.generatorCount),
    },
    allowTargets: cmd.allowTargets,
  });
  const run = await prepareRun(test, {
    workers: msg.workers,
    ...(msg.intervalMs !== undefined ? { intervalMs: msg.intervalMs } : {}),
    segment: cmd.segment,
    segmentSequence: cmd.segmentSequence,
    sourcePrefix: cmd.source,
    setup: { run: cmd.runSetup },
    teardown: cmd.runSetup,
    leaseGate: msg.leaseGate,
    // Thresholds are judged by the controller on every generator's merged metrics.
    abortOnThresholds: false,
    onSnapshot: (snapshot) => post({ type: 'snapshot', snapshot }),
    onLog: (level, message, repeated) =>
      post({ type: 'log', level, message: repeated > 1 ? `${message} (×${repeated})` : message }),
  });
  prepared = run;
  if (pendingStop) {
    finished(await run.abort(pendingStop.reason));
    return;
  }
  post({
    type: 'ready',
    setupDataJson: cmd.runSetup ? run.setupDataJson : null,
    plan: cmd.generatorIndex === 0 ? planReport(test) : null,
    maxVus: run.maxVus,
  });
}

function finished(outcome: RunOutcome): void {
  post({
    type: 'finished',
    scenarios: outcome.scenarios,
    abortReason: outcome.abortReason,
    error:
      outcome.failure === null
        ? null
        : {
            code:
              outcome.failure === 'crash'
                ? 'WORKER_CRASHED'
                : outcome.failure === 'script'
                  ? 'SCRIPT_ERROR'
                  : 'SCRIPT_TEARDOWN',
            message: outcome.abortReason ?? outcome.failure,
          },
  });
}

function parseOverrides(json: string): OptionOverrides {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new EngineError('INVALID_INPUT', `overridesJson: ${(error as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new EngineError('INVALID_INPUT', 'overridesJson: must be a JSON object');
  }
  return value as OptionOverrides;
}

function toHostError(error: unknown): HostError {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: String((error as Error)?.stack ?? error) };
}
