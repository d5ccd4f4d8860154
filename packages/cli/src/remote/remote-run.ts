// `stampede run --server`: uploads the test archive, queues the run on the controller, follows
// it live, then prints the same summary and exit code a local run would.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { stdoutIsJson, writeSummaryOutputs } from '../summary-output.ts';
import { buildTestArchive, renderSummaryText, type OptionOverrides } from '@stampede/engine';
import {
  archiveInfoSchema,
  isTerminalRunStatus,
  runLiveSchema,
  runLogsSchema,
  runViewSchema,
  summarySchema,
  type DeclarativeTest,
  type RunLive,
  type RunView,
  type Summary,
} from '@stampede/protocol';
import { EXIT } from '../exit-codes.ts';
import { ApiCallError, type ApiClient } from './api-client.ts';

/** What to run remotely and how to report it. */
export interface RemoteRunInput {
  client: ApiClient;
  /** A test file, or a quick-mode request list built from flags. */
  source: { file: string } | { declarative: DeclarativeTest };
  overrides: OptionOverrides;
  /** Only the variables given with --env travel to the generators (never this shell's environment). */
  env: Record<string, string>;
  generators: number;
  /** Labels stored on the controller's run (`--label`). */
  labels?: Record<string, string>;
  /** Generator pool; the controller's default when absent. */
  pool?: string;
  /** Project (id or name) whose policy the run is checked against; the default project when absent. */
  project?: string;
  summaryJsonPath: string | undefined;
  quiet: boolean;
  color: boolean;
  /** Status lines go here (stderr). */
  progress: (line: string) => void;
  /** Time between polls of the live view, ms (default 1000). */
  pollIntervalMs?: number;
}

/** Runs a test on the controller's generators; resolves with the exit code. */
export async function runRemote(input: RemoteRunInput): Promise<number> {
  const { client } = input;
  const built = await buildArchive(input.source, input.env);
  const known = await client.callOrNull(`/archives/${built.sha256}`, archiveInfoSchema);
  if (known === null) {
    await client.call('/archives', archiveInfoSchema, {
      bytes: built.bytes,
      headers: { 'x-stampede-sha256': built.sha256 },
      timeoutMs: 120_000,
    });
  }
  const created = await client.call('/runs', runViewSchema, {
    json: {
      archiveSha256: built.sha256,
      generators: input.generators,
      ...(input.pool === undefined ? {} : { pool: input.pool }),
      ...(input.project === undefined ? {} : { projectId: input.project }),
      overrides: input.overrides,
      env: input.env,
      ...(input.labels === undefined ? {} : { labels: input.labels }),
    },
  });
  const runId = created.id;
  input.progress(
    `run ${runId} queued on ${client.target.url} (${input.generators} generator${input.generators === 1 ? '' : 's'}, archive ${built.sha256.slice(0, 12)}, ${built.bytes.byteLength} bytes)`,
  );

  const interrupt = watchInterrupts(client, runId, input.progress);
  let run: RunView = created;
  let lastStatus = '';
  let logAfter = 0;
  let lastLiveLineMs = 0;
  try {
    for (;;) {
      if (interrupt.detached) {
        input.progress(
          `detached: run ${runId} goes on; follow it with "stampede runs show ${runId}"`,
        );
        return EXIT.interrupted;
      }
      run = await client.call(`/runs/${runId}`, runViewSchema);
      if (run.status !== lastStatus) {
        lastStatus = run.status;
        input.progress(
          `run ${runId}: ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}`,
        );
      }
      const logs = await client.call(`/runs/${runId}/logs?afterId=${logAfter}`, runLogsSchema);
      logAfter = logs.nextAfterId;
      for (const l of logs.items) {
        if (l.level !== 'debug') input.progress(`${l.level}: [${l.source}] ${l.message}`);
      }
      if (isTerminalRunStatus(run.status)) break;
      if (!input.quiet && run.status === 'running' && Date.now() - lastLiveLineMs >= 5000) {
        const live = await client.callOrNull(`/runs/${runId}/live`, runLiveSchema);
        if (live) input.progress(liveLine(live));
        lastLiveLineMs = Date.now();
      }
      await sleep(input.pollIntervalMs ?? 1000);
    }
  } finally {
    interrupt.dispose();
  }

  const summary = run.summary ?? (await client.callOrNull(`/runs/${runId}/summary`, summarySchema));
  if (summary) {
    const labelled =
      Object.keys(run.labels).length === 0 ? summary : { ...summary, labels: run.labels };
    await writeSummaryOutputs(
      labelled,
      renderSummaryText(summary, { color: input.color }),
      input.summaryJsonPath,
    );
  }
  (stdoutIsJson(input.summaryJsonPath) ? process.stderr : process.stdout).write(
    `run ${runId}: ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}\n`,
  );
  return exitCodeOf(run, summary, interrupt.aborted);
}

/** Exit code of a finished remote run, as a local run of the same outcome would end. */
export function exitCodeOf(run: RunView, summary: Summary | null, abortedByUs: boolean): number {
  const thresholdsFailed =
    summary !== null && Object.values(summary.thresholds).some((list) => list.some((t) => !t.ok));
  if (run.status === 'passed') return EXIT.ok;
  if (run.status === 'failed' || thresholdsFailed) return EXIT.thresholdsFailed;
  if (run.status === 'aborted' && abortedByUs) return EXIT.interrupted;
  return EXIT.error;
}

/** Builds the test archive of a file or a quick-mode request list (only `env` travels). */
export async function buildArchive(source: RemoteRunInput['source'], env: Record<string, string>) {
  if ('file' in source) return buildTestArchive(source.file, { env });
  const dir = await mkdtemp(join(tmpdir(), 'stampede-quick-'));
  try {
    const file = join(dir, 'quick-test.json');
    await writeFile(file, JSON.stringify(source.declarative));
    return await buildTestArchive(file, { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function liveLine(live: RunLive): string {
  const s = Math.floor(live.elapsedMs / 1000);
  const p95 = live.p95Ms === null ? '-' : `${live.p95Ms.toFixed(1)}ms`;
  return `  ${s}s  ${live.vus} VUs  ${Math.round(live.requestRatePerSec)} req/s  p95 ${p95}  failed ${live.failedRequests}  total ${live.totalRequests} reqs  ${live.generators.length} generators${live.failingThresholds > 0 ? `  ${live.failingThresholds} thresholds failing` : ''}`;
}

/**
 * Ctrl-C asks whether to abort the run (a TTY) or aborts it (no TTY: the safe default); a second
 * Ctrl-C while asking aborts at once.
 */
function watchInterrupts(client: ApiClient, runId: string, progress: (line: string) => void) {
  const state = { aborted: false, detached: false, asking: false };
  const abort = (): void => {
    if (state.aborted) return;
    state.aborted = true;
    progress(`aborting run ${runId}…`);
    client
      .call(`/runs/${runId}/abort`, runViewSchema, { json: { reason: 'interrupted by the user' } })
      .catch((error: unknown) => {
        if (!(error instanceof ApiCallError && error.status === 409)) {
          progress(`abort failed: ${(error as Error).message}`);
        }
      });
  };
  const onSignal = (): void => {
    if (state.asking || !process.stdin.isTTY) {
      abort();
      return;
    }
    state.asking = true;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    rl.question(`\nAbort run ${runId} on the controller? [y/N] (N detaches and leaves it running) `)
      .then((answer) => {
        if (/^y(es)?$/i.test(answer.trim())) abort();
        else state.detached = true;
      })
      .catch(() => abort())
      .finally(() => {
        state.asking = false;
        rl.close();
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', abort);
  return {
    get aborted() {
      return state.aborted;
    },
    get detached() {
      return state.detached;
    },
    dispose(): void {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', abort);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
