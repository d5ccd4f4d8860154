// Running the `stampede` CLI from a benchmark: pinned to the load CPU, optionally with a raised
// open-file limit, its summary JSON read back and its memory sampled from /proc while it runs.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, NODE, removeAtExit, STAMPEDE_JS } from './children.ts';
import { childPids, memoryOf } from './proc.ts';
import { pinned, withFileLimit } from './targets.ts';

/** The parts of the summary JSON (docs/summary-json.md) the benchmarks read. */
export interface Summary {
  result: string;
  durationMs: number;
  scenarios: Record<string, { executor: string; iterations: number; droppedIterations: number }>;
  metrics: Record<string, { type: string; values: Record<string, number> } | undefined>;
  checks: { name: string; passes: number; fails: number }[];
  generator: {
    workers: number;
    path?: string;
    saturated: boolean;
    reasons: string[];
    cpuUtilization: number;
    eventLoopDelayP99Ms: number;
  };
}

/** One memory sample of the CLI process: seconds since it started and its resident set, KiB. */
export interface RssSample {
  atS: number;
  rssKiB: number;
}

/** The outcome of one CLI run. */
export interface StampedeRun {
  code: number | null;
  summary: Summary | null;
  /** Peak resident set of the CLI process (VmHWM, last reading before it exited), KiB. */
  peakRssKiB: number;
  rss: RssSample[];
  wallS: number;
  stderr: string;
}

/** How to run the CLI. */
export interface StampedeOptions {
  /** CPU to pin to (null: not pinned). */
  cpu?: number | null;
  /** Raise the open-file limit to this many. */
  files?: number;
  /** Memory sampling period, ms (default 200). */
  sampleMs?: number;
  /** Kill after this many ms (default: none). */
  timeoutMs?: number;
  /** Flags for Node itself (V8 flags such as --heap-growing-percent=50), before the CLI's path. */
  nodeArgs?: string[];
}

let scratch: string | undefined;

/** A temp file path for a benchmark's own files (removed at exit). */
export function tempFile(name: string): string {
  if (scratch === undefined) {
    scratch = mkdtempSync(join(tmpdir(), 'stampede-bench-'));
    removeAtExit(scratch);
  }
  return join(scratch, name);
}

/** Writes a test script for the CLI into the temp folder; returns its path. */
export function writeScript(name: string, source: string): string {
  const file = tempFile(name);
  writeFileSync(file, source);
  return file;
}

/** Runs `stampede run ARGS --quiet --no-color --summary-json F` and reads the summary back. */
export async function runStampede(
  args: string[],
  options: StampedeOptions = {},
): Promise<StampedeRun> {
  const summaryFile = tempFile(`summary-${process.pid}-${Date.now()}.json`);
  const cliArgs = [
    ...(options.nodeArgs ?? []),
    STAMPEDE_JS,
    'run',
    ...args,
    '--quiet',
    '--no-color',
    '--summary-json',
    summaryFile,
  ];
  let [cmd, argv] = pinned(options.cpu ?? 0, NODE, cliArgs);
  if (options.cpu === null) [cmd, argv] = [NODE, cliArgs];
  if (options.files !== undefined) [cmd, argv] = withFileLimit(options.files, cmd, argv);
  const rss: RssSample[] = [];
  let peakRssKiB = 0;
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  const out = await capture(cmd, argv, {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    onStart: (pid) => {
      // taskset and the ulimit shell exec the CLI, so the PID is Node's; a child is looked up
      // in case some wrapper forks instead.
      const sample = (): void => {
        const target = memoryOf(pid) !== null && !isWrapper(pid) ? pid : (childPids(pid)[0] ?? pid);
        const m = memoryOf(target);
        if (m === null) return;
        peakRssKiB = Math.max(peakRssKiB, m.hwmKiB);
        rss.push({ atS: (performance.now() - t0) / 1000, rssKiB: m.rssKiB });
      };
      sample();
      timer = setInterval(sample, options.sampleMs ?? 200);
    },
  });
  clearInterval(timer);
  const wallS = (performance.now() - t0) / 1000;
  let summary: Summary | null = null;
  if (existsSync(summaryFile)) summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  return { code: out.code, summary, peakRssKiB, rss, wallS, stderr: out.stderr.slice(-2000) };
}

function isWrapper(pid: number): boolean {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return comm === 'sh' || comm === 'taskset';
  } catch {
    return false;
  }
}

/** A metric value from the summary, or null. */
export function metric(s: Summary | null, name: string, value: string): number | null {
  const v = s?.metrics[name]?.values[value];
  return v === undefined ? null : v;
}

/** Whether the CLI knows a flag (its `run --help` mentions it). */
export async function cliHasFlag(flag: string): Promise<boolean> {
  const out = await capture(NODE, [STAMPEDE_JS, 'run', '--help']);
  return (out.stdout + out.stderr).includes(flag);
}
