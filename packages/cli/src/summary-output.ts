// Where the end-of-test summary goes: output targets are checked before the first request (a
// typo in a path must not cost a whole test), "-" means standard output, and the text summary
// moves to stderr when stdout carries JSON.
import { accessSync, constants, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Summary } from '@stampede/protocol';
import { UsageError } from './cli-error.ts';

/** Throws a UsageError (exit 2) naming `flag` and `path` when `path` cannot be written; "-" is stdout. */
export function checkOutputTarget(flag: string, path: string): void {
  if (path === '-') return;
  const full = resolve(path);
  const fail = (why: string): never => {
    throw new UsageError(`${flag}: cannot write "${path}": ${why}`);
  };
  let stat;
  try {
    stat = statSync(full);
  } catch {
    stat = undefined;
  }
  if (stat !== undefined) {
    if (stat.isDirectory()) fail('it is a directory');
    try {
      accessSync(full, constants.W_OK);
    } catch {
      fail('permission denied');
    }
    return;
  }
  const dir = dirname(full);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    return fail(`directory ${dir} does not exist`);
  }
  if (!dirStat.isDirectory()) fail(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    fail(`directory ${dir} is not writable`);
  }
}

/** Checks `--summary-json` and `--out json=` targets together: at most one of them may be "-". */
export function checkOutputTargets(summaryJsonPath?: string, ndjsonPath?: string): void {
  if (summaryJsonPath !== undefined) checkOutputTarget('--summary-json', summaryJsonPath);
  if (ndjsonPath !== undefined) checkOutputTarget('--out json', ndjsonPath);
  if (summaryJsonPath === '-' && ndjsonPath === '-')
    throw new UsageError('--summary-json - and --out json=- would both write to stdout; pick one');
}

/** True when standard output carries JSON, so human-readable text must go to stderr. */
export function stdoutIsJson(summaryJsonPath?: string, ndjsonPath?: string): boolean {
  return summaryJsonPath === '-' || ndjsonPath === '-';
}

/** Writes the text summary (stdout, or stderr when stdout carries JSON) and the summary JSON, if asked. */
export async function writeSummaryOutputs(
  summary: Summary,
  text: string,
  summaryJsonPath: string | undefined,
  ndjsonPath?: string,
): Promise<void> {
  const textOut = stdoutIsJson(summaryJsonPath, ndjsonPath) ? process.stderr : process.stdout;
  textOut.write(`${text}\n`);
  if (summaryJsonPath === undefined || summaryJsonPath === '') return;
  const json = `${JSON.stringify(summary, null, 2)}\n`;
  if (summaryJsonPath === '-') process.stdout.write(json);
  else await writeFile(summaryJsonPath, json);
}
