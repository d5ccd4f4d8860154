// `stampede compare`: did the candidate runs get slower than the baseline runs? Each summary file
// is one run, the unit of replication; the statistics are the analysis package's.
import { writeFile } from 'node:fs/promises';
import {
  AnalysisError,
  compareRuns,
  parseMetricSelector,
  runStatisticsFromSummary,
  type MetricSelector,
} from '@stampede/analysis';
import type { ComparisonResult } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { renderComparisonTable } from '../compare/compare-table.ts';
import { expandPaths, readSummaries } from '../compare/summary-files.ts';
import { EXIT } from '../exit-codes.ts';
import { checkOutputTarget } from '../summary-output.ts';

/** Help text of `stampede compare`. */
export const COMPARE_USAGE = `Usage: stampede compare --baseline A1.json A2.json … --candidate B1.json B2.json … [flags]

Each file is the --summary-json of one run (or a JSON array of them); globs are expanded
(quote them: --baseline 'base.*.json'). Runs, not requests, are the samples: give at least
4 runs per side for a regression to be detectable, 6–10 for a small one (docs/compare.md).

  --baseline FILE…        summaries of the baseline runs
  --candidate FILE…       summaries of the candidate runs
  --metric NAME[:STAT]    compare only this metric (all its statistics) or one statistic,
                          e.g. http_req_duration:p99 (repeatable)
  --min-effect PCT        smallest change that matters, e.g. 10% (never below 5%)
  --alpha A               significance level (default 0.05)
  --json FILE             write the comparison as JSON (docs/compare.md); - = stdout
  --no-color              plain text
Exit codes: 0 nothing regressed, 99 a regression, 2 bad input.

On a controller, against the branch's stored baseline (stampede baseline set):
  stampede compare --server URL --test T --branch B <candidate script> [--runs K] [flags]
  (stampede compare --server --help for its flags)`;

/** Splits `--baseline a b --candidate c d` (lists that run to the next flag) from the other flags. */
export function splitFileLists(argv: readonly string[]): {
  baseline: string[];
  candidate: string[];
  rest: string[];
} {
  const lists = { baseline: [] as string[], candidate: [] as string[] };
  const rest: string[] = [];
  let current: 'baseline' | 'candidate' | null = null;
  for (const arg of argv) {
    const m = /^--(baseline|candidate)(?:=(.*))?$/.exec(arg);
    if (m) {
      current = m[1] as 'baseline' | 'candidate';
      if (m[2] !== undefined && m[2] !== '') lists[current].push(m[2]);
      continue;
    }
    if (current !== null && !arg.startsWith('-')) {
      lists[current].push(arg);
      continue;
    }
    current = null;
    rest.push(arg);
  }
  return { ...lists, rest };
}

/** Parses `--min-effect` ("10%", or a fraction "0.1") into a fraction. */
export function parseMinEffect(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(value >= 0 && value < 10))
    throw new UsageError(
      `--min-effect: expected a percentage such as 10%, got "${text}"`,
      COMPARE_USAGE,
    );
  return value;
}

function parseAlpha(text: string): number {
  const value = /^\d*\.?\d+$/.test(text) ? Number(text) : NaN;
  if (!(value > 0 && value < 0.5))
    throw new UsageError(`--alpha: expected a number in (0, 0.5), got "${text}"`, COMPARE_USAGE);
  return value;
}

/** `stampede compare`: prints the comparison table; exit 0, 99 on any regression, 2 on bad input. */
export async function compareCommand(argv: string[]): Promise<number> {
  if (argv.some((a) => /^--(server|test)(=|$)/.test(a))) {
    return (await import('./compare-remote.ts')).compareRemoteCommand(argv);
  }
  const lists = splitFileLists(argv);
  const { values: f, positionals } = parseCommandArgs(
    lists.rest,
    {
      metric: { type: 'string', multiple: true },
      'min-effect': { type: 'string' },
      alpha: { type: 'string' },
      json: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    COMPARE_USAGE,
    1,
  );
  if (f.help) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals[0] !== undefined)
    throw new UsageError(
      `unexpected argument "${positionals[0]}" (files go after --baseline or --candidate)`,
      COMPARE_USAGE,
    );
  if (lists.baseline.length === 0)
    throw new UsageError('--baseline: give the summaries of the baseline runs', COMPARE_USAGE);
  if (lists.candidate.length === 0)
    throw new UsageError('--candidate: give the summaries of the candidate runs', COMPARE_USAGE);
  const options = {
    ...(f['min-effect'] !== undefined ? { minEffect: parseMinEffect(f['min-effect']) } : {}),
    ...(f.alpha !== undefined ? { alpha: parseAlpha(f.alpha) } : {}),
    ...(f.metric !== undefined ? { select: f.metric.map(selector) } : {}),
  };
  if (f.json !== undefined) checkOutputTarget('--json', f.json);

  let result: ComparisonResult;
  try {
    const [baseline, candidate] = await Promise.all([
      expandPaths('--baseline', lists.baseline).then((p) => readSummaries('--baseline', p)),
      expandPaths('--candidate', lists.candidate).then((p) => readSummaries('--candidate', p)),
    ]);
    const stats = (runs: typeof baseline) =>
      runs.map((r) => runStatisticsFromSummary(r.summary, { source: r.source }));
    result = compareRuns(stats(baseline), stats(candidate), options);
  } catch (error) {
    if (error instanceof UsageError || error instanceof AnalysisError) {
      process.stderr.write(
        `error: ${error.message}${availableText(error)} [${error instanceof AnalysisError ? error.code : 'INVALID_INPUT'}]\n`,
      );
      return EXIT.badInput;
    }
    throw error;
  }

  const text = renderComparisonTable(result);
  (f.json === '-' ? process.stderr : process.stdout).write(`${text}\n`);
  if (f.json !== undefined) {
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (f.json === '-') process.stdout.write(json);
    else await writeFile(f.json, json);
  }
  return result.regressed ? EXIT.thresholdsFailed : EXIT.ok;
}

function selector(text: string): MetricSelector {
  if (text.trim() === '')
    throw new UsageError('--metric: expected NAME or NAME:STAT, got ""', COMPARE_USAGE);
  return parseMetricSelector(text);
}

function availableText(error: Error): string {
  if (!(error instanceof AnalysisError)) return '';
  const available = error.details['available'];
  if (!Array.isArray(available) || available.length === 0) return '';
  const shown = available.slice(0, 40).map(String);
  const more =
    available.length > shown.length ? `\n  … and ${available.length - shown.length} more` : '';
  return `\navailable:\n  ${shown.join('\n  ')}${more}`;
}
