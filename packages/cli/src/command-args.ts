import { parseArgs, type ParseArgsConfig, type ParseArgsOptionsConfig } from 'node:util';
import { closestName } from '@stampede/protocol';
import { UsageError } from './cli-error.ts';

/**
 * `util.parseArgs` whose errors are UsageErrors people can act on: an unknown flag gets a
 * "did you mean" (`--vuss` → `--vus`) instead of Node's message about positional arguments.
 */
export function parseFlags<T extends ParseArgsConfig>(config: T, usage?: string) {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(flagErrorMessage(error as Error & { code?: string }, config), usage);
  }
}

function flagErrorMessage(error: Error & { code?: string }, config: ParseArgsConfig): string {
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return error.message;
  const flag = /^Unknown option '([^']+)'/.exec(error.message)?.[1] ?? '';
  const known = Object.keys(config.options ?? {});
  const name = closestName(flag.replace(/^-+/, ''), known);
  if (name !== undefined) return `unknown flag ${flag} (did you mean --${name}?)`;
  return `unknown flag ${flag} (a value that starts with "-" goes after "--")`;
}

/** Parses a subcommand's flags strictly; a bad flag or more than `maxPositionals` arguments is a UsageError carrying the subcommand's help. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  argv: string[],
  options: T,
  usage: string,
  maxPositionals: number,
) {
  const parsed = parseFlags({ args: argv, options, allowPositionals: true, strict: true }, usage);
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
  return parsed;
}
