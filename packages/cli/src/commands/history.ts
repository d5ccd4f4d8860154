// `stampede history <test>`: one statistic of a test on a branch over the controller's runs, with
// the change points the controller found (E-divisive means, kept as first reported).
import { writeFile } from 'node:fs/promises';
import { parseMetricSelector } from '@stampede/analysis';
import { HISTORY_STATISTICS, historyViewSchema } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import { intFlag } from '../flags.ts';
import { renderHistory } from '../history/history-text.ts';
import { ApiCallError } from '../remote/api-client.ts';
import { clientFromFlags, CONTROLLER_FLAG_OPTIONS } from '../remote/common-flags.ts';
import { checkOutputTarget } from '../summary-output.ts';

/** Help text of `stampede history`. */
export const HISTORY_USAGE = `Usage: stampede history <test> [--branch B] [--metric NAME[:STAT]] [flags]
  One statistic of a test's runs on a branch (their \`test\` label, or the script's file name
  without extension; \`branch\` label), oldest first, change points marked. Runs join the history
  when they end passed or failed with a branch label (docs/compare.md#history-and-change-points).

  --branch B              the runs' branch label (default main)
  --metric NAME[:STAT]    series and statistic (default http_req_duration:p99); STAT is one of
                          ${HISTORY_STATISTICS.join(', ')} (default p99, rate for http_reqs,
                          http_req_failed, checks, iterations and data_*)
  --limit N               the newest N runs (default 200)
  --json FILE             write the history as JSON; - = stdout
  --project ID            project (default: the default project)
Exit codes: 0 shown, 2 bad input (unknown test, metric or statistic), 1 controller error.

Controller:
  --server URL            controller URL (default: $STAMPEDE_SERVER)
  --token T               API token with scope read (default: $STAMPEDE_TOKEN)
  --ca-file FILE          the controller's CA certificate (default: $STAMPEDE_CA_FILE)`;

const RATE_METRICS = /^(http_reqs|http_req_failed|checks|iterations|data_sent|data_received)(\{|$)/;

/** `http_req_duration:p99` → its metric and statistic; UsageError naming --metric otherwise. */
export function historySelector(text: string): { metric: string; statistic: string } {
  const sel = parseMetricSelector(text.trim());
  if (sel.metric === '') {
    throw new UsageError(`--metric: expected NAME or NAME:STAT, got "${text}"`, HISTORY_USAGE);
  }
  const statistic = sel.statistic ?? (RATE_METRICS.test(sel.metric) ? 'rate' : 'p99');
  if (!(HISTORY_STATISTICS as readonly string[]).includes(statistic)) {
    throw new UsageError(
      `--metric: unknown statistic "${statistic}" in "${text}" (one of ${HISTORY_STATISTICS.join(', ')})`,
      HISTORY_USAGE,
    );
  }
  return { metric: sel.metric, statistic };
}

/** `stampede history`; returns the exit code. */
export async function historyCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      json: { type: 'string' },
      branch: { type: 'string' },
      metric: { type: 'string' },
      limit: { type: 'string' },
      project: { type: 'string' },
    },
    HISTORY_USAGE,
    1,
  );
  if (f.help) {
    process.stdout.write(`${HISTORY_USAGE}\n`);
    return EXIT.ok;
  }
  const testName = positionals[0];
  if (testName === undefined || testName === '') {
    throw new UsageError('give the test name (its test label or script name)', HISTORY_USAGE);
  }
  if (f.branch === '') throw new UsageError('--branch: must not be empty', HISTORY_USAGE);
  const { metric, statistic } = historySelector(f.metric ?? 'http_req_duration:p99');
  const limit = intFlag('limit', f.limit, 1);
  if (f.json !== undefined) checkOutputTarget('--json', f.json);
  const query = new URLSearchParams({ branch: f.branch ?? 'main', metric, statistic });
  if (limit !== undefined) query.set('limit', String(limit));
  if (f.project !== undefined) query.set('projectId', f.project);
  const client = clientFromFlags(f);
  try {
    const view = await client
      .call(`/history/${encodeURIComponent(testName)}?${query.toString()}`, historyViewSchema)
      .catch((error: unknown) => {
        throw asUsage(error);
      });
    (f.json === '-' ? process.stderr : process.stdout).write(renderHistory(view));
    if (f.json !== undefined) {
      const json = `${JSON.stringify(view, null, 2)}\n`;
      if (f.json === '-') process.stdout.write(json);
      else await writeFile(f.json, json);
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** A 400 about the series or a 404 about the test becomes a UsageError naming the flag. */
function asUsage(error: unknown): unknown {
  if (!(error instanceof ApiCallError)) return error;
  if (error.status === 404) return new UsageError(error.message, HISTORY_USAGE);
  const field = error.details['field'];
  if (error.status !== 400 || (field !== 'metric' && field !== 'statistic')) return error;
  const available = error.details['available'];
  const list = Array.isArray(available) ? available.map(String) : [];
  const why = error.message.replace(/^query\.\w+: /, '').replace(/; available: .*$/, '');
  return new UsageError(
    `--metric: ${why}${list.length > 0 ? `\navailable:\n  ${list.join('\n  ')}` : ''}`,
    HISTORY_USAGE,
  );
}
