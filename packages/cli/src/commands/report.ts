// `stampede report`: the self-contained HTML report of a local run, from its summary JSON and/or
// its interval snapshots, written afterwards (`stampede run --out html=FILE` writes it at once).
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import {
  looksLikeIntervals,
  reportData,
  writeHtmlReport,
  type ReportSources,
} from '../report/html-report.ts';
import { checkOutputTarget } from '../summary-output.ts';

/** Help text of `stampede report`. */
export const REPORT_USAGE = `Usage: stampede report <summary.json> [intervals.ndjson] -o report.html
       stampede report <intervals.ndjson> -o report.html

One HTML file with everything inlined (opens from file://, no network): the summary,
thresholds, checks, per-endpoint and errors tables, and charts of request rate, latency
p50/p95/p99, error rate and VUs over time when the intervals (--out json=FILE) are given.
From intervals alone the summary is rebuilt without the test's thresholds.

  -o, --output FILE       where to write the report (required)
  --title TEXT            the report's title (default: the first file's name)`;

/** `stampede report`; returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  try {
    return await report(argv);
  } catch (error) {
    // File errors carry no help text of their own: show this command's, not `stampede run`'s.
    if (error instanceof UsageError && error.usage === undefined)
      throw new UsageError(error.message, REPORT_USAGE);
    throw error;
  }
}

async function report(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      output: { type: 'string', short: 'o' },
      title: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    REPORT_USAGE,
    2,
  );
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new UsageError('report: give a summary JSON or intervals NDJSON file', REPORT_USAGE);
  if (values.output === undefined)
    throw new UsageError('report: -o FILE is required', REPORT_USAGE);
  if (values.output === '-') throw new UsageError('report: -o needs a file, not -', REPORT_USAGE);
  checkOutputTarget('-o', values.output);
  const sources: ReportSources = {};
  for (const path of positionals) {
    const kind = (await looksLikeIntervals(path)) ? 'intervalsPath' : 'summaryPath';
    if (sources[kind] !== undefined) {
      throw new UsageError(
        `report: "${sources[kind]}" and "${path}" are both ${kind === 'summaryPath' ? 'summaries' : 'interval files'}; give at most one of each`,
      );
    }
    sources[kind] = path;
  }
  const data = await reportData(sources, Date.now(), values.title);
  const bytes = await writeHtmlReport(data, values.output);
  process.stderr.write(
    `report written: ${values.output} (${Math.round(bytes / 1024)} kB${data.series === null ? ', no time series' : `, ${data.series.timesSec.length} points`})\n`,
  );
  return EXIT.ok;
}
