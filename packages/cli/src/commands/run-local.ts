// A test run on this machine: the live view, signals (and the launcher going away) stopping the
// load, the summary written; and `--repeat K`, the same prepared test run K times back to back so
// that `stampede compare` gets K independent samples.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { renderSummaryText, startRun, type PreparedTest } from '@stampede/engine';
import { EXIT } from '../exit-codes.ts';
import { onLauncherGone } from '../launcher-link.ts';
import { LiveView } from '../live-view.ts';
import { writeRunReport } from '../report/html-report.ts';
import { writeSummaryOutputs } from '../summary-output.ts';

/** How a local run is executed and reported. */
export interface LocalRunOptions {
  workers: number;
  quiet: boolean;
  color: boolean;
  labels: Record<string, string>;
  segment?: string;
  segmentSequence?: string;
  ndjsonPath?: string;
  /** Where the HTML report goes (its intervals come from ndjsonPath, or a temporary file). */
  htmlPath?: string;
  summaryJsonPath?: string | undefined;
  /** The banner's title instead of the script's path (quick mode names its request). */
  bannerTitle?: string;
  /** Shown before the banner, e.g. `run 2/5`. */
  heading?: string;
}

/** Runs `test` once on this machine, prints and writes its summary, and returns the run's exit code. */
export async function runLocally(test: PreparedTest, o: LocalRunOptions): Promise<number> {
  const view = new LiveView({
    tty: process.stderr.isTTY === true && !o.quiet,
    quiet: o.quiet,
    color: o.color,
  });
  if (o.heading !== undefined) view.notice(o.heading);
  view.banner(test, o.bannerTitle);
  const tempDir =
    o.htmlPath !== undefined && o.ndjsonPath === undefined
      ? await mkdtemp(join(tmpdir(), 'stampede-report-'))
      : undefined;
  const ndjsonPath = tempDir === undefined ? o.ndjsonPath : join(tempDir, 'intervals.ndjson');
  const run = startRun(test, {
    workers: o.workers,
    ...(o.segment ? { segment: o.segment } : {}),
    ...(o.segmentSequence ? { segmentSequence: o.segmentSequence } : {}),
    ...(ndjsonPath ? { ndjsonPath } : {}),
    onStatus: (s) => view.status(s),
    onLog: (level, message, repeated) => view.log(level, message, repeated),
  });

  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      view.notice('stopping gracefully (Ctrl-C again to stop at once)');
      run.stop(true, 'interrupted');
    } else {
      view.notice('stopping now');
      run.stop(false, 'interrupted');
    }
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  // The launcher that started this process died (its CI job was cancelled): stop the load now.
  const offLauncher = onLauncherGone(() => {
    view.notice('the stampede launcher is gone: stopping now');
    run.stop(false, 'interrupted');
  });
  let outcome;
  try {
    outcome = await run.done;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    offLauncher();
    view.end();
  }

  await writeSummaryOutputs(
    withLabels(outcome.summary, o.labels),
    renderSummaryText(outcome.summary, { color: o.color }),
    o.summaryJsonPath,
    o.ndjsonPath,
  );
  if (o.htmlPath !== undefined && ndjsonPath !== undefined) {
    try {
      await writeRunReport(
        withLabels(outcome.summary, o.labels),
        ndjsonPath,
        o.htmlPath,
        o.bannerTitle ?? basename(test.bundle.entryPath),
      );
    } finally {
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
    }
  }
  if (outcome.failure === 'crash') return EXIT.error;
  if (outcome.failure === 'teardown' || outcome.failure === 'script') return EXIT.scriptError;
  if (!outcome.thresholdsOk) return EXIT.thresholdsFailed;
  if (outcome.interrupted) return EXIT.interrupted;
  return EXIT.ok;
}

/** The summary with the run's labels (left without the field when there are none). */
export function withLabels<T extends object>(summary: T, labels: Record<string, string>): T {
  return Object.keys(labels).length === 0 ? summary : { ...summary, labels };
}

/** `out.json` → `out.3.json` (the index goes before the last extension; appended when there is none). */
export function repeatedPath(path: string, index: number): string {
  const m = /^(.*[^/\\])(\.[^./\\]+)$/.exec(path);
  return m ? `${m[1]}.${index}${m[2]}` : `${path}.${index}`;
}

/**
 * Runs `test` `times` times back to back. An interrupted, crashed or teardown-failed run stops the
 * rest and gives its exit code; otherwise the result is 99 when any run failed its thresholds,
 * else 0 (docs/compare.md).
 */
export async function runRepeated(
  test: PreparedTest,
  o: LocalRunOptions,
  times: number,
  summaryJsonPath: string | undefined,
): Promise<number> {
  let thresholdsFailed = 0;
  for (let i = 1; i <= times; i++) {
    const code = await runLocally(test, {
      ...o,
      heading: `run ${i}/${times}`,
      summaryJsonPath: summaryJsonPath === undefined ? undefined : repeatedPath(summaryJsonPath, i),
    });
    if (code === EXIT.thresholdsFailed) thresholdsFailed++;
    else if (code !== EXIT.ok) {
      process.stderr.write(
        `run ${i}/${times} ended with exit ${code}: the remaining runs are skipped\n`,
      );
      return code;
    }
  }
  if (summaryJsonPath !== undefined)
    process.stderr.write(
      `${times} summaries written: ${repeatedPath(summaryJsonPath, 1)} … ${repeatedPath(summaryJsonPath, times)}\n`,
    );
  if (thresholdsFailed > 0) {
    process.stderr.write(`${thresholdsFailed} of ${times} runs failed their thresholds\n`);
    return EXIT.thresholdsFailed;
  }
  return EXIT.ok;
}
