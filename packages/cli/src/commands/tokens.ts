import {
  apiTokenCreatedSchema,
  apiTokenPageSchema,
  joinTokenCreatedSchema,
  joinTokenPageSchema,
} from '@stampede/protocol';
import { parseDurationMs } from '@stampede/protocol';
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

/** Help text of `stampede tokens`. */
export const TOKENS_USAGE = `Usage: stampede tokens create --name N [--scopes read,run,admin]   API token (shown once)
       stampede tokens create --join [--name N] [--ttl 1h]          single-use agent join token
       stampede tokens list [--join]
       stampede tokens revoke <token-id>

${CONTROLLER_FLAGS_USAGE}`;

/** `stampede tokens create|list|revoke`: API and join tokens (admin scope); returns the exit code. */
export async function tokensCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      name: { type: 'string' },
      scopes: { type: 'string' },
      join: { type: 'boolean' },
      ttl: { type: 'string' },
    },
    TOKENS_USAGE,
    2,
  );
  const { values, positionals } = parsed;
  const [sub, id] = positionals;
  if (values.help || sub === undefined) {
    process.stdout.write(`${TOKENS_USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.badInput;
  }
  let ttlMs: number | undefined;
  if (values.ttl !== undefined) {
    ttlMs = parseDurationMs(values.ttl);
    if (ttlMs === undefined) {
      throw new UsageError(`--ttl: "${values.ttl}" is not a duration (e.g. 1h, 30m)`, TOKENS_USAGE);
    }
  }
  const client = clientFromFlags(values);
  try {
    if (sub === 'create' && values.join) {
      const created = await client.call('/join-tokens', joinTokenCreatedSchema, {
        json: {
          ...(values.name === undefined ? {} : { name: values.name }),
          ...(ttlMs === undefined ? {} : { ttlMs }),
        },
      });
      if (values.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else {
        process.stdout.write(
          `join token ${created.id} (single use, expires ${formatTime(created.expiresAtMs)}):\n${created.token}\n`,
        );
      }
      return EXIT.ok;
    }
    if (sub === 'create') {
      if (!values.name) throw new UsageError('tokens create needs --name', TOKENS_USAGE);
      const scopes = (values.scopes ?? 'read,run').split(',').filter((s) => s !== '');
      const created = await client.call('/tokens', apiTokenCreatedSchema, {
        json: { name: values.name, scopes },
      });
      if (values.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else {
        process.stdout.write(
          `API token ${created.id} "${created.name}" (${created.scopes.join(',')}), shown once:\n${created.token}\n`,
        );
      }
      return EXIT.ok;
    }
    if (sub === 'list') {
      if (values.join) {
        const page = await client.call('/join-tokens', joinTokenPageSchema);
        if (values.json) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        else {
          process.stdout.write(
            formatTable(
              ['ID', 'NAME', 'STATE', 'CREATED', 'EXPIRES'],
              page.items.map((t) => [
                t.id,
                t.name,
                t.state,
                formatTime(t.createdAtMs),
                formatTime(t.expiresAtMs),
              ]),
            ),
          );
        }
        return EXIT.ok;
      }
      const page = await client.call('/tokens', apiTokenPageSchema);
      if (values.json) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      else {
        process.stdout.write(
          formatTable(
            ['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'],
            page.items.map((t) => [
              t.id,
              t.name,
              t.scopes.join(','),
              formatTime(t.createdAtMs),
              formatTime(t.revokedAtMs),
            ]),
          ),
        );
      }
      return EXIT.ok;
    }
    if (sub === 'revoke') {
      if (id === undefined) throw new UsageError('tokens revoke needs a token id', TOKENS_USAGE);
      await client.call(`/tokens/${encodeURIComponent(id)}/revoke`, z.unknown(), { json: {} });
      process.stdout.write(`token ${id}: revoked\n`);
      return EXIT.ok;
    }
    throw new UsageError(`unknown subcommand "tokens ${sub}"`, TOKENS_USAGE);
  } finally {
    await client.close();
  }
}
