// `stampede experiment`: A vs B on a controller's generators with no stored baseline. The
// controller runs A B A B … (K per side), compares the runs and stores the result; this command
// uploads the archives, queues the experiment, follows it and prints the comparison.
import { writeFile } from 'node:fs/promises';
import {
  archiveInfoSchema,
  comparisonViewSchema,
  type ComparisonResult,
  type ComparisonView,
  type ExperimentCreateInput,
} from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import { intFlag, loadShapeFlags, keyValueFlags, labelFlags, positiveFlag } from '../flags.ts';
import type { ApiClient } from '../remote/api-client.ts';
import {
  clientFromFlags,
  CONTROLLER_FLAG_OPTIONS,
  CONTROLLER_FLAGS_USAGE,
  formatTable,
} from '../remote/common-flags.ts';
import { buildArchive } from '../remote/remote-run.ts';

/** Help text of `stampede experiment`. */
export const EXPERIMENT_USAGE = `Usage: stampede experiment <a-file> [<b-file>] [flags]
  Runs A and B interleaved (A B A B …) on the controller's generators, K runs per side, and
  compares them run by run (B against A). With one file, A and B differ by --env-a/--env-b.

  --runs K                runs per side (default 6, at least 3)
  --max-runs N            while a verdict is inconclusive, add pairs up to N per side
  --env-a K=V  --env-b K=V   environment of side A / B (repeatable); --env K=V for both
  --label-a K=V --label-b K=V labels of side A / B runs (repeatable)
  --vus N  --duration D   load shape of every run (override the script's options)
  --generators N  --pool NAME
  --metric NAME[:STAT]    compare only these (repeatable), e.g. http_req_duration:p99
  --min-effect P          smallest change that matters, e.g. 5% or 0.05
  --json-out FILE         write the comparison result (protocol comparison schema)
Exit codes: 0 no regression, 99 a regression, 2 bad input, 1 the experiment errored.

${CONTROLLER_FLAGS_USAGE}`;

/** `stampede experiment`; returns the exit code. */
export async function experimentCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      runs: { type: 'string' },
      'max-runs': { type: 'string' },
      env: { type: 'string', multiple: true },
      'env-a': { type: 'string', multiple: true },
      'env-b': { type: 'string', multiple: true },
      'label-a': { type: 'string', multiple: true },
      'label-b': { type: 'string', multiple: true },
      vus: { type: 'string' },
      duration: { type: 'string' },
      generators: { type: 'string' },
      pool: { type: 'string' },
      metric: { type: 'string', multiple: true },
      'min-effect': { type: 'string' },
      'json-out': { type: 'string' },
      'poll-ms': { type: 'string' },
    },
    EXPERIMENT_USAGE,
    2,
  );
  if (f.help) {
    process.stdout.write(`${EXPERIMENT_USAGE}\n`);
    return EXIT.ok;
  }
  const fileA = positionals[0];
  if (fileA === undefined) throw new UsageError('give the test file of side A', EXPERIMENT_USAGE);
  const fileB = positionals[1] ?? fileA;
  const common = keyValueFlags('env', f.env);
  const envA = { ...common, ...keyValueFlags('env-a', f['env-a']) };
  const envB = { ...common, ...keyValueFlags('env-b', f['env-b']) };
  const overrides = loadShapeFlags(f.vus, f.duration);
  const minEffect = minEffectFlag(f['min-effect']);
  const runs = intFlag('runs', f.runs, 3);
  const maxRuns = intFlag('max-runs', f['max-runs'], 3);
  const generators = intFlag('generators', f.generators, 1);
  const client = clientFromFlags(f);
  try {
    const body: ExperimentCreateInput = {
      a: {
        archiveSha256: await uploadArchive(client, fileA, envA),
        env: envA,
        labels: labelFlags(f['label-a']),
        overrides,
      },
      b: {
        archiveSha256: await uploadArchive(client, fileB, envB),
        env: envB,
        labels: labelFlags(f['label-b']),
        overrides,
      },
      ...(runs === undefined ? {} : { runsPerSide: runs }),
      ...(maxRuns === undefined ? {} : { maxRunsPerSide: maxRuns }),
      ...(generators === undefined ? {} : { generators }),
      ...(f.pool === undefined ? {} : { pool: f.pool }),
      ...(f.metric === undefined ? {} : { metrics: f.metric }),
      ...(minEffect === undefined ? {} : { minEffect }),
    };
    const queued = await client.call('/experiments', comparisonViewSchema, { json: body });
    const pollMs = intFlag('poll-ms', f['poll-ms'], 10) ?? 1000;
    const view = await followComparison(client, queued, pollMs);
    return await report(view, f.json === true, f['json-out']);
  } finally {
    await client.close();
  }
}

/** Prints a queued comparison job's progress on stderr until it ends; resolves to its last view. */
export async function followComparison(
  client: ApiClient,
  queued: ComparisonView,
  pollMs: number,
): Promise<ComparisonView> {
  process.stderr.write(`${queued.kind} ${queued.id} queued on ${client.target.url}\n`);
  let view = queued;
  let last = '';
  while (view.status === 'queued' || view.status === 'running') {
    if (view.statusReason !== last) process.stderr.write(`  ${view.statusReason}\n`);
    last = view.statusReason;
    await new Promise((r) => setTimeout(r, pollMs));
    view = await client.call(`/comparisons/${view.id}`, comparisonViewSchema);
  }
  return view;
}

/** Builds the test archive of `file` and uploads it unless the controller has it; resolves to its SHA-256. */
export async function uploadArchive(
  client: ApiClient,
  file: string,
  env: Record<string, string>,
): Promise<string> {
  const built = await buildArchive({ file }, env);
  const known = await client.callOrNull(`/archives/${built.sha256}`, archiveInfoSchema);
  if (known === null) {
    await client.call('/archives', archiveInfoSchema, {
      bytes: built.bytes,
      headers: { 'x-stampede-sha256': built.sha256 },
      timeoutMs: 120_000,
    });
  }
  return built.sha256;
}

async function report(view: ComparisonView, json: boolean, jsonOut: string | undefined) {
  if (view.result !== null && jsonOut !== undefined) {
    await writeFile(jsonOut, `${JSON.stringify(view.result, null, 2)}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  else if (view.result !== null) process.stdout.write(resultTable(view.result));
  process.stdout.write(`experiment ${view.id}: ${view.status} (${view.statusReason})\n`);
  if (view.status !== 'done' || view.result === null) return EXIT.error;
  return view.result.regressed ? EXIT.thresholdsFailed : EXIT.ok;
}

/** The comparison as a text table: one row per (metric, statistic), B against A. */
export function resultTable(result: ComparisonResult): string {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? '-' : fmt(v));
  const pct = (v: number | null) => (v === null ? '?' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`);
  return formatTable(
    ['METRIC', 'STAT', 'A MEDIAN', 'B MEDIAN', 'CHANGE [CI]', 'VERDICT', 'MDE'],
    result.rows.map((r) => {
      const log = r.change?.scale === 'log';
      const ch = r.change;
      const change =
        ch === null
          ? '-'
          : log
            ? `${pct(ch.estimate)} [${pct(ch.low)}, ${pct(ch.high)}]`
            : `${n(ch.estimate)} [${n(ch.low)}, ${n(ch.high)}]`;
      const mde =
        r.mde === null ? 'none at this k' : log ? `±${r.mde.toFixed(1)}%` : `±${n(r.mde)}`;
      return [
        r.metric,
        r.statistic,
        n(r.baseline.median),
        n(r.candidate.median),
        change,
        r.verdict,
        mde,
      ];
    }),
  );
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function minEffectFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const pct = value.endsWith('%');
  const n = positiveFlag('min-effect', pct ? value.slice(0, -1) : value);
  return n === undefined ? undefined : pct ? n / 100 : n;
}
