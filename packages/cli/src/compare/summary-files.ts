// Reading the run summaries `stampede compare` is given: paths and globs expanded here (so that
// quoting in CI shells does not matter), each file one summary or a JSON array of summaries, every
// summary validated so that a truncated or foreign file is named with the field that is wrong.
import { readFile } from 'node:fs/promises';
import { summarySchema, type Summary } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { globPaths } from './basename-glob.ts';

/** One run summary read from disk, with where it came from (`file` or `file[i]` for arrays). */
export interface SummaryFromFile {
  readonly source: string;
  readonly summary: Summary;
}

const GLOB_CHARS = /[*?[\]{}]/;

/** Expands `patterns` (plain paths and globs) in order, without duplicates; a glob that matches nothing is a UsageError naming it. */
export async function expandPaths(flag: string, patterns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const matches: string[] = [];
    if (GLOB_CHARS.test(pattern)) {
      matches.push(...(await globPaths(pattern)));
      if (matches.length === 0) throw new UsageError(`${flag}: no file matches "${pattern}"`);
      // Natural order so that run.2.json comes before run.10.json.
      matches.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    } else {
      matches.push(pattern);
    }
    for (const path of matches) {
      if (seen.has(path)) continue;
      seen.add(path);
      out.push(path);
    }
  }
  return out;
}

/** Reads and validates the summaries in `paths`; any unreadable, malformed or invalid file is a UsageError naming the file (and the field). */
export async function readSummaries(
  flag: string,
  paths: readonly string[],
): Promise<SummaryFromFile[]> {
  const out: SummaryFromFile[] = [];
  // Read in parallel (one await per file in turn was 0.5–1 ms each), then report in order.
  const texts = await Promise.allSettled(paths.map((path) => readFile(path, 'utf8')));
  for (const [i, path] of paths.entries()) {
    const read = texts[i];
    if (read === undefined || read.status === 'rejected') {
      const error: unknown = read?.status === 'rejected' ? read.reason : undefined;
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
      throw new UsageError(
        `${flag}: cannot read "${path}": ${why ?? (error as Error | undefined)?.message}`,
      );
    }
    const text = read.value;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        `${flag}: "${path}" is not valid JSON (truncated?): ${(error as Error).message}`,
      );
    }
    const items = Array.isArray(json) ? json : [json];
    if (items.length === 0) throw new UsageError(`${flag}: "${path}" holds an empty list`);
    items.forEach((item, i) => {
      const source = Array.isArray(json) ? `${path}[${i}]` : path;
      out.push({ source, summary: parseSummary(flag, source, item) });
    });
  }
  return out;
}

function parseSummary(flag: string, source: string, value: unknown): Summary {
  const parsed = summarySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  const hint =
    typeof value === 'object' && value !== null && 'version' in value
      ? ''
      : ' (is it a stampede --summary-json file?)';
  throw new UsageError(
    `${flag}: "${source}" is not a valid run summary: ${field}: ${issue?.message ?? 'invalid'}${hint}`,
  );
}
