// `stampede compare --server`: K runs of a candidate script on a controller's generators,
// compared there with the branch's stored baseline (a compare job); prints the same table as
// the local `stampede compare` and exits like it (0, 99 on a regression, 2 on bad input).
import { writeFile } from 'node:fs/promises';
import { comparisonViewSchema, type CompareJobCreateInput } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { renderComparisonTable } from '../compare/compare-table.ts';
import { EXIT } from '../exit-codes.ts';
import { intFlag, loadShapeFlags, keyValueFlags, labelFlags } from '../flags.ts';
import {
  clientFromFlags,
  CONTROLLER_FLAG_OPTIONS,
  CONTROLLER_FLAGS_USAGE,
  JOB_RUN_FLAG_OPTIONS,
} from '../remote/common-flags.ts';
import { checkOutputTarget } from '../summary-output.ts';
import { parseMinEffect } from './compare.ts';
import { followComparison, uploadArchive } from './experiment.ts';

/** Help text of `stampede compare --server`. */
export const COMPARE_REMOTE_USAGE = `Usage: stampede compare --server URL --test T --branch B <candidate-file> [flags]
  Runs the candidate K times on the controller's generators and compares the runs with the
  branch's stored baseline (stampede baseline show T --branch B), run by run.

  --test T                the baseline's test name (required)
  --branch B              the baseline's branch (required)
  --runs K                candidate runs (default 6, at least 3)
  --max-runs N            while a verdict is inconclusive, add runs up to N
  --env K=V  --label K=V  environment and labels of the candidate runs (repeatable)
  --vus N  --duration D   load shape of every run (override the script's options)
  --generators N  --pool NAME
  --metric NAME[:STAT]    compare only these (repeatable), e.g. http_req_duration:p99
  --min-effect PCT        smallest change that matters, e.g. 10% (never below 5%)
  --alpha A               significance level (default 0.05)
  --json FILE             write the comparison as JSON (as the local compare); - = stdout
Exit codes: 0 nothing regressed, 99 a regression, 2 bad input (also: no baseline stored),
1 the job errored.

${CONTROLLER_FLAGS_USAGE.replace(/\n.*--json.*$/m, '')}`;

/** `stampede compare --server …`; returns the exit code. */
export async function compareRemoteCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      json: { type: 'string' },
      test: { type: 'string' },
      branch: { type: 'string' },
      runs: { type: 'string' },
      'max-runs': { type: 'string' },
      ...JOB_RUN_FLAG_OPTIONS,
      metric: { type: 'string', multiple: true },
      'min-effect': { type: 'string' },
      alpha: { type: 'string' },
    },
    COMPARE_REMOTE_USAGE,
    1,
  );
  if (f.help) {
    process.stdout.write(`${COMPARE_REMOTE_USAGE}\n`);
    return EXIT.ok;
  }
  const file = positionals[0];
  if (file === undefined)
    throw new UsageError('give the candidate test file', COMPARE_REMOTE_USAGE);
  if (!f.test) throw new UsageError("--test: give the baseline's test name", COMPARE_REMOTE_USAGE);
  if (!f.branch) throw new UsageError("--branch: give the baseline's branch", COMPARE_REMOTE_USAGE);
  if (f.json !== undefined) checkOutputTarget('--json', f.json);
  const env = keyValueFlags('env', f.env);
  const overrides = loadShapeFlags(f.vus, f.duration);
  const runs = intFlag('runs', f.runs, 3);
  const maxRuns = intFlag('max-runs', f['max-runs'], 3);
  const generators = intFlag('generators', f.generators, 1);
  const alpha = f.alpha === undefined ? undefined : Number(f.alpha);
  if (alpha !== undefined && !(alpha > 0 && alpha < 0.5)) {
    throw new UsageError(
      `--alpha: expected a number in (0, 0.5), got "${f.alpha}"`,
      COMPARE_REMOTE_USAGE,
    );
  }
  const client = clientFromFlags(f);
  try {
    const body: CompareJobCreateInput = {
      testName: f.test,
      branch: f.branch,
      candidate: {
        archiveSha256: await uploadArchive(client, file, env),
        env,
        labels: labelFlags(f.label),
        overrides,
      },
      ...(runs === undefined ? {} : { runsPerSide: runs }),
      ...(maxRuns === undefined ? {} : { maxRunsPerSide: maxRuns }),
      ...(generators === undefined ? {} : { generators }),
      ...(f.pool === undefined ? {} : { pool: f.pool }),
      ...(f.metric === undefined ? {} : { metrics: f.metric }),
      ...(f['min-effect'] === undefined ? {} : { minEffect: parseMinEffect(f['min-effect']) }),
      ...(alpha === undefined ? {} : { alpha }),
    };
    const queued = await client.call('/compare-jobs', comparisonViewSchema, { json: body });
    const view = await followComparison(
      client,
      queued,
      intFlag('poll-ms', f['poll-ms'], 10) ?? 1000,
    );
    const result = view.result;
    if (view.status !== 'done' || result === null) {
      process.stderr.write(`compare ${view.id}: ${view.status} (${view.statusReason})\n`);
      return EXIT.error;
    }
    (f.json === '-' ? process.stderr : process.stdout).write(`${renderComparisonTable(result)}\n`);
    if (f.json !== undefined) {
      const json = `${JSON.stringify(result, null, 2)}\n`;
      if (f.json === '-') process.stdout.write(json);
      else await writeFile(f.json, json);
    }
    process.stderr.write(`compare ${view.id}: ${view.statusReason}\n`);
    return result.regressed ? EXIT.thresholdsFailed : EXIT.ok;
  } finally {
    await client.close();
  }
}
