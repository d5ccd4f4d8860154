// Making the self-contained HTML report of a local run: from its summary JSON and/or its interval
// snapshots (`--out json=FILE`). Bad files are UsageErrors naming the file and line or field.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { IntervalSnapshot, ReportData, Summary } from '@stampede/protocol';
import {
  buildSummary,
  decodeSnapshotLine,
  MetricTotals,
  timeSeriesOf,
} from '@stampede/engine/results';
import { renderReportHtml } from '@stampede/web';
import { UsageError } from '../cli-error.ts';
import { readSummaries } from '../compare/summary-files.ts';

/** What a report is made of: a summary file, an intervals file, or both. */
export interface ReportSources {
  summaryPath?: string;
  intervalsPath?: string;
}

/** Reads the interval snapshots of an NDJSON file; a bad line is a UsageError naming `path:line`. */
export async function readIntervals(flag: string, path: string): Promise<IntervalSnapshot[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
    throw new UsageError(`${flag}: cannot read "${path}": ${why ?? (error as Error).message}`);
  }
  const out: IntervalSnapshot[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      out.push(decodeSnapshotLine(line, `${path}:${i + 1}`));
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  }
  if (out.length === 0) throw new UsageError(`${flag}: "${path}" holds no interval snapshot`);
  return out;
}

/** A summary rebuilt from snapshots alone: totals and endpoints, but the test's thresholds are unknown. */
function summaryOfIntervals(snapshots: readonly IntervalSnapshot[]): Summary {
  const totals = new MetricTotals();
  let startedAtMs = Infinity;
  let endedAtMs = -Infinity;
  for (const s of snapshots) {
    totals.add(s);
    startedAtMs = Math.min(startedAtMs, s.startMs);
    endedAtMs = Math.max(endedAtMs, s.endMs);
  }
  return buildSummary({
    totals,
    thresholds: [],
    startedAtMs,
    endedAtMs,
    scenarios: {},
    abortReason: null,
  });
}

/** Tells a summary JSON file from an NDJSON intervals file by its first line. */
export async function looksLikeIntervals(path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false; // readSummaries names the file and the reason
  }
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  try {
    const value = JSON.parse(first) as unknown;
    return typeof value === 'object' && value !== null && 'series' in value && 'seq' in value;
  } catch {
    return false;
  }
}

/** The report's data from `sources` (at least one of them), made at `nowMs`. */
export async function reportData(
  sources: ReportSources,
  nowMs: number,
  title?: string,
): Promise<ReportData> {
  const snapshots =
    sources.intervalsPath === undefined
      ? null
      : await readIntervals('report', sources.intervalsPath);
  let summary: Summary;
  let note: string | null = null;
  if (sources.summaryPath !== undefined) {
    const read = await readSummaries('report', [sources.summaryPath]);
    if (read.length !== 1) {
      throw new UsageError(
        `report: "${sources.summaryPath}" holds ${read.length} summaries; give one run's summary`,
      );
    }
    summary = (read[0] as { summary: Summary }).summary;
  } else if (snapshots !== null) {
    summary = summaryOfIntervals(snapshots);
    note =
      'Made from interval snapshots only: the test’s thresholds are not known here (give the summary JSON too).';
  } else {
    throw new UsageError('report: give a summary JSON file, an intervals NDJSON file, or both');
  }
  const named = sources.summaryPath ?? sources.intervalsPath ?? 'run';
  return {
    v: 1,
    title: title ?? basename(named),
    generatedAtMs: nowMs,
    summary,
    note,
    series: snapshots === null ? null : timeSeriesOf(snapshots),
  };
}

/** Writes the HTML report of `data` to `outPath`; a write error is a UsageError naming the file. */
export async function writeHtmlReport(data: ReportData, outPath: string): Promise<number> {
  const html = await renderReportHtml(data);
  try {
    await writeFile(outPath, html);
  } catch (error) {
    throw new UsageError(`cannot write "${outPath}": ${(error as Error).message}`);
  }
  return Buffer.byteLength(html);
}

/** Writes the HTML report of a run that just ended on this machine (its summary and intervals file). */
export async function writeRunReport(
  summary: Summary,
  intervalsPath: string,
  outPath: string,
  title: string,
): Promise<void> {
  const snapshots = await readIntervals('--out html', intervalsPath).catch(() => []);
  const data: ReportData = {
    v: 1,
    title,
    generatedAtMs: Date.now(),
    summary,
    note: null,
    series: snapshots.length === 0 ? null : timeSeriesOf(snapshots),
  };
  const bytes = await writeHtmlReport(data, outPath);
  process.stderr.write(`report written: ${outPath} (${Math.round(bytes / 1024)} kB)\n`);
}
