import {
  runPageSchema,
  runTransitionListSchema,
  runViewSchema,
  type RunView,
} from '@stampede/protocol';
import { renderSummaryText } from '@stampede/engine';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import { labelFlags } from '../flags.ts';
import {
  clientFromFlags,
  CONTROLLER_FLAG_OPTIONS,
  CONTROLLER_FLAGS_USAGE,
  formatTable,
  formatTime,
} from '../remote/common-flags.ts';

/** Help text of `stampede runs`. */
export const RUNS_USAGE = `Usage: stampede runs list [--status S,S] [--label K=V]... [--limit N]
       stampede runs show <run-id>
       stampede runs abort <run-id> [--reason TEXT]

${CONTROLLER_FLAGS_USAGE}`;

/** `stampede runs list|show|abort`: the controller's runs; returns the exit code. */
export async function runsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const [sub, id] = positionals;
  if (values.help || sub === undefined) {
    process.stdout.write(`${RUNS_USAGE}\n`);
    return sub === undefined && !values.help ? EXIT.badInput : EXIT.ok;
  }
  const client = clientFromFlags(values);
  try {
    if (sub === 'list') {
      const query = new URLSearchParams();
      if (values.status) query.set('status', values.status);
      if (values.limit) query.set('limit', values.limit);
      const labels = Object.entries(labelFlags(values.label));
      if (labels.length > 0) query.set('label', labels.map(([k, v]) => `${k}=${v}`).join(','));
      const page = await client.call(`/runs?${query.toString()}`, runPageSchema);
      if (values.json) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      else process.stdout.write(runTable(page.items));
      return EXIT.ok;
    }
    if (id === undefined) throw new UsageError(`runs ${sub} needs a run id`, RUNS_USAGE);
    const path = `/runs/${encodeURIComponent(id)}`;
    if (sub === 'show') {
      const run = await client.call(path, runViewSchema);
      const transitions = await client.call(`${path}/transitions`, runTransitionListSchema);
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ ...run, transitions: transitions.items }, null, 2)}\n`,
        );
        return EXIT.ok;
      }
      process.stdout.write(runTable([run]));
      process.stdout.write('\ntransitions:\n');
      for (const t of transitions.items) {
        process.stdout.write(`  ${formatTime(t.atMs)}  ${t.from ?? '-'} → ${t.to}  ${t.reason}\n`);
      }
      if (run.summary)
        process.stdout.write(`\n${renderSummaryText(run.summary, { color: false })}`);
      return EXIT.ok;
    }
    if (sub === 'abort') {
      const run = await client.call(`${path}/abort`, runViewSchema, {
        json: values.reason ? { reason: values.reason } : {},
      });
      process.stdout.write(`run ${run.id}: ${run.status} (${run.statusReason})\n`);
      return EXIT.ok;
    }
    throw new UsageError(`unknown subcommand "runs ${sub}"`, RUNS_USAGE);
  } finally {
    await client.close();
  }
}

function parse(argv: string[]) {
  return parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      status: { type: 'string' },
      limit: { type: 'string' },
      label: { type: 'string', multiple: true },
      reason: { type: 'string' },
    },
    RUNS_USAGE,
    2,
  );
}

function runTable(runs: readonly RunView[]): string {
  return formatTable(
    ['ID', 'STATUS', 'GENERATORS', 'CREATED', 'BY', 'REASON'],
    runs.map((r) => [
      r.id,
      r.status,
      String(r.generatorsRequested),
      formatTime(r.createdAtMs),
      r.createdBy,
      r.statusReason,
    ]),
  );
}
