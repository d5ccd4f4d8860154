import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './cli-error.ts';

/** Parses a subcommand's flags strictly; a bad flag or more than `maxPositionals` arguments is a UsageError carrying the subcommand's help. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  argv: string[],
  options: T,
  usage: string,
  maxPositionals: number,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
  return parsed;
}
