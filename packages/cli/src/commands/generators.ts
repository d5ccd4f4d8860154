import { generatorPageSchema } from '@stampede/protocol';
import { z } from 'zod';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import {
  clientFromFlags,
  CONTROLLER_FLAG_OPTIONS,
  CONTROLLER_FLAGS_USAGE,
  formatTable,
  formatTime,
} from '../remote/common-flags.ts';

/** Help text of `stampede generators`. */
export const GENERATORS_USAGE = `Usage: stampede generators list [--pool P] [--all]
       stampede generators terminate <generator-id> [--reason TEXT]

  --all                   include retired generators

${CONTROLLER_FLAGS_USAGE}`;

/** `stampede generators list|terminate`: the controller's load generators; returns the exit code. */
export async function generatorsCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      pool: { type: 'string' },
      all: { type: 'boolean' },
      reason: { type: 'string' },
    },
    GENERATORS_USAGE,
    2,
  );
  const { values, positionals } = parsed;
  const [sub, id] = positionals;
  if (values.help || sub === undefined) {
    process.stdout.write(`${GENERATORS_USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.badInput;
  }
  const client = clientFromFlags(values);
  try {
    if (sub === 'list') {
      const query = new URLSearchParams();
      if (values.pool) query.set('pool', values.pool);
      if (values.all) query.set('includeRetired', 'true');
      const page = await client.call(`/generators?${query.toString()}`, generatorPageSchema);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return EXIT.ok;
      }
      process.stdout.write(
        formatTable(
          ['ID', 'NAME', 'KIND', 'POOL', 'STATUS', 'RUN', 'LAST HEARTBEAT', 'CPU'],
          page.items.map((g) => [
            g.id,
            g.name,
            g.kind,
            g.pool,
            g.status,
            g.runId ?? '-',
            formatTime(g.lastHeartbeatMs),
            g.health ? `${Math.round(g.health.cpuUtilization * 100)}%` : '-',
          ]),
        ),
      );
      return EXIT.ok;
    }
    if (sub === 'terminate') {
      if (id === undefined)
        throw new UsageError('generators terminate needs a generator id', GENERATORS_USAGE);
      await client.call(`/generators/${encodeURIComponent(id)}/terminate`, z.unknown(), {
        json: values.reason ? { reason: values.reason } : {},
      });
      process.stdout.write(`generator ${id}: terminating\n`);
      return EXIT.ok;
    }
    throw new UsageError(`unknown subcommand "generators ${sub}"`, GENERATORS_USAGE);
  } finally {
    await client.close();
  }
}
