// `stampede baseline show|set`: the runs a branch's candidates are compared with on a controller
// (GET/POST /api/v1/baselines/:test/:branch), with the environment they were measured on.
import {
  baselineViewSchema,
  comparisonViewSchema,
  type BaselineJobCreateInput,
  type BaselineView,
} from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import { intFlag, loadShapeFlags, keyValueFlags, labelFlags } from '../flags.ts';
import type { ApiClient } from '../remote/api-client.ts';
import {
  clientFromFlags,
  CONTROLLER_FLAG_OPTIONS,
  CONTROLLER_FLAGS_USAGE,
  formatTime,
  JOB_RUN_FLAG_OPTIONS,
} from '../remote/common-flags.ts';
import { followComparison, uploadArchive } from './experiment.ts';

/** Help text of `stampede baseline`. */
export const BASELINE_USAGE = `Usage: stampede baseline show <test> [--branch B] [--project P]
       stampede baseline set <test> --branch B --runs ID,ID,... [--project P]
       stampede baseline run <test> --branch B <file> [--runs K] [--env K=V] [--vus N --duration D]

A baseline is the set of ended runs of a test on a branch that \`stampede compare --server\`
compares candidates with. <test> is the runs' "test" label, or their script's file name without
the extension. "set" replaces the branch's baseline; its runs must be of that test, ended passed
or failed, and measured on one environment (generators, workers, Stampede version). "run"
runs <file> K times on the controller (a baseline job, labelled test=<test>, branch=B) and makes
those runs the baseline.

  --branch B              the branch (default main for "show"; required for "set")
  --runs ID,ID,...        the runs that become the baseline (repeatable; at least 3 to compare)
                          ("run": how many runs, default 6)
  --env K=V  --label K=V  environment and labels of the runs ("run"; repeatable)
  --vus N  --duration D   load shape of every run ("run"; override the script's options)
  --generators N  --pool NAME
  --project P             project id (default: the default project)

${CONTROLLER_FLAGS_USAGE}`;

/** `stampede baseline show|set`; returns the exit code. */
export async function baselineCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      branch: { type: 'string' },
      runs: { type: 'string', multiple: true },
      project: { type: 'string' },
      ...JOB_RUN_FLAG_OPTIONS,
    },
    BASELINE_USAGE,
    3,
  );
  const [sub, testName, file] = positionals;
  if (f.help || sub === undefined) {
    process.stdout.write(`${BASELINE_USAGE}\n`);
    return f.help ? EXIT.ok : EXIT.badInput;
  }
  if (sub !== 'show' && sub !== 'set' && sub !== 'run') {
    throw new UsageError(`unknown subcommand "baseline ${sub}"`, BASELINE_USAGE);
  }
  if (testName === undefined || testName === '') {
    throw new UsageError(`baseline ${sub}: give the test name`, BASELINE_USAGE);
  }
  if (f.branch === '') throw new UsageError('--branch: give a branch name', BASELINE_USAGE);
  if (sub !== 'show' && f.branch === undefined) {
    throw new UsageError(`--branch: "baseline ${sub}" needs the branch`, BASELINE_USAGE);
  }
  if (sub === 'run') {
    if (file === undefined)
      throw new UsageError('baseline run: give the test file', BASELINE_USAGE);
    return runBaselineJob(f, testName, f.branch ?? '', file);
  }
  if (file !== undefined) {
    throw new UsageError(`unexpected argument "${file}"`, BASELINE_USAGE);
  }
  const runIds = (f.runs ?? []).flatMap((r) => r.split(',')).map((r) => r.trim());
  if (sub === 'set' && (runIds.length === 0 || runIds.some((r) => r === ''))) {
    throw new UsageError('--runs: give the run ids, e.g. --runs run_1,run_2,run_3', BASELINE_USAGE);
  }
  if (sub === 'show' && f.runs !== undefined) {
    throw new UsageError('--runs: only "baseline set" takes runs', BASELINE_USAGE);
  }
  const branch = f.branch ?? 'main';
  const query = f.project === undefined ? '' : `?projectId=${encodeURIComponent(f.project)}`;
  const path = `/baselines/${encodeURIComponent(testName)}/${encodeURIComponent(branch)}${query}`;
  const client = clientFromFlags(f);
  try {
    const view =
      sub === 'set'
        ? await client.call(path, baselineViewSchema, { json: { runIds } })
        : await client.call(path, baselineViewSchema);
    if (f.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    else process.stdout.write(baselineText(view));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

async function runBaselineJob(
  f: {
    server?: string | undefined;
    token?: string | undefined;
    'ca-file'?: string | undefined;
    json?: boolean | undefined;
    runs?: string[] | undefined;
    project?: string | undefined;
    env?: string[] | undefined;
    label?: string[] | undefined;
    vus?: string | undefined;
    duration?: string | undefined;
    generators?: string | undefined;
    pool?: string | undefined;
    'poll-ms'?: string | undefined;
  },
  testName: string,
  branch: string,
  file: string,
): Promise<number> {
  if ((f.runs?.length ?? 0) > 1) throw new UsageError('--runs: give it once', BASELINE_USAGE);
  const runs = intFlag('runs', f.runs?.[0], 3);
  const env = keyValueFlags('env', f.env);
  const overrides = loadShapeFlags(f.vus, f.duration);
  const generators = intFlag('generators', f.generators, 1);
  const client: ApiClient = clientFromFlags(f);
  try {
    const body: BaselineJobCreateInput = {
      testName,
      branch,
      run: {
        archiveSha256: await uploadArchive(client, file, env),
        env,
        labels: labelFlags(f.label),
        overrides,
      },
      ...(runs === undefined ? {} : { runsPerSide: runs }),
      ...(generators === undefined ? {} : { generators }),
      ...(f.pool === undefined ? {} : { pool: f.pool }),
      ...(f.project === undefined ? {} : { projectId: f.project }),
    };
    const queued = await client.call('/baseline-jobs', comparisonViewSchema, { json: body });
    const pollMs = intFlag('poll-ms', f['poll-ms'], 10) ?? 1000;
    const view = await followComparison(client, queued, pollMs);
    process.stderr.write(`baseline job ${view.id}: ${view.status} (${view.statusReason})\n`);
    if (view.status !== 'done') return EXIT.error;
    const query = f.project === undefined ? '' : `?projectId=${encodeURIComponent(f.project)}`;
    const path = `/baselines/${encodeURIComponent(testName)}/${encodeURIComponent(branch)}${query}`;
    const baseline = await client.call(path, baselineViewSchema);
    if (f.json) process.stdout.write(`${JSON.stringify(baseline, null, 2)}\n`);
    else process.stdout.write(baselineText(baseline));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** A baseline as text: the test and branch, who set it and when, its runs and their environment. */
export function baselineText(view: BaselineView): string {
  const fp = view.fingerprint;
  return [
    `baseline of ${view.testName} on ${view.branch} (project ${view.projectId})`,
    `  set:          ${formatTime(view.setAtMs)} by ${view.setBy}`,
    `  environment:  ${fp.generators} generator(s) × ${fp.workersPerGenerator} worker(s), stampede ${fp.stampedeVersion}`,
    `  runs (${view.runIds.length}):`,
    ...view.runIds.map((id) => `    ${id}`),
    '',
  ].join('\n');
}
