// Issue 9 figures measured through the real CLI:
//   1. `stampede compare` on 2 × 20 summary files: wall time of the whole process (launcher,
//      Node start-up, reading, parsing, comparing, printing), with `stampede --help` as the floor.
//   2. On a real local target with a fixed delay: the per-run CV of p50 and p99 of
//      http_req_duration over repeated runs of 5 s and 15 s, and the minimum detectable effect
//      that noise gives a comparison at k = 6 runs per side (same formula as the verdicts).
// Usage: node bench/compare-cli.ts [--reps 10] [--runs 8] [--delay-ms 20] [--vus 10] [--no-target]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { minimumDetectableEffect } from '@stampede/analysis';
import { parseFlags } from './lib/args.ts';
import { loadAvg } from './lib/proc.ts';
import { metric, runStampede } from './lib/stampede.ts';
import { startEcho } from './lib/targets.ts';
import { summaryTexts } from './compare/summary-text.ts';

const flags = parseFlags(
  'node bench/compare-cli.ts',
  {
    reps: { kind: 'number', default: 10, help: 'timed repetitions of each CLI call' },
    runs: { kind: 'number', default: 8, help: 'runs per duration against the real target' },
    'delay-ms': { kind: 'number', default: 20, help: "the target's fixed delay, ms" },
    vus: { kind: 'number', default: 10, help: 'VUs of each run' },
    target: { kind: 'boolean', default: true, help: 'measure the real-target CV (part 2)' },
  },
  process.argv.slice(2),
);

const NODE = process.execPath;
const STAMPEDE_JS = resolve(import.meta.dirname, '..', 'packages/cli/bin/stampede.js');

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall time of one CLI process, ms; throws when it exits with a code not in `okCodes`. */
function wallMs(args: string[], okCodes: readonly number[]): number {
  const t0 = performance.now();
  const out = spawnSync(NODE, [STAMPEDE_JS, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (!okCodes.includes(out.status ?? -1)) {
    throw new Error(`stampede ${args.join(' ')} exited ${out.status}: ${out.stderr.slice(-500)}`);
  }
  return ms;
}

function timed(label: string, args: string[], okCodes: readonly number[]): number {
  wallMs(args, okCodes); // warm the file cache
  const samples = Array.from({ length: flags.reps }, () => wallMs(args, okCodes));
  const s = [...samples].sort((a, b) => a - b);
  console.log(
    `${label}: median ${median(samples).toFixed(0)} ms, min ${s[0]!.toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms (n=${samples.length})`,
  );
  return median(samples);
}

console.log(`load average before: ${loadAvg()}`);

// 1. The CLI on 2 × 20 files.
const dir = mkdtempSync(join(tmpdir(), 'stampede-compare-cli-'));
try {
  const text = summaryTexts(7);
  for (let i = 1; i <= 20; i++) {
    writeFileSync(join(dir, `a.${i}.json`), text(1));
    writeFileSync(join(dir, `b.${i}.json`), text(1.1));
  }
  timed('stampede --help (process floor)', ['--help'], [0]);
  const compareArgs = [
    'compare',
    '--baseline',
    join(dir, 'a.*.json'),
    '--candidate',
    join(dir, 'b.*.json'),
    '--json',
    join(dir, 'out.json'),
  ];
  const ms = timed('stampede compare 2 × 20 summaries (whole process)', compareArgs, [0, 99]);
  console.log(`  goal < 200 ms: ${ms < 200 ? 'met' : 'NOT met'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// 2. Run-to-run noise of a real local target.
if (flags.target) {
  const target = await startEcho({ delayMs: flags['delay-ms'] });
  try {
    for (const durationS of [5, 15]) {
      const p50: number[] = [];
      const p99: number[] = [];
      for (let i = 0; i < flags.runs; i++) {
        const run = await runStampede([
          '--url',
          target.url,
          '--vus',
          String(flags.vus),
          '--duration',
          `${durationS}s`,
        ]);
        const a = metric(run.summary, 'http_req_duration', 'p50');
        const b = metric(run.summary, 'http_req_duration', 'p99');
        if (run.code !== 0 || a === null || b === null) {
          throw new Error(`run ${i + 1} of ${durationS} s failed (${run.code}): ${run.stderr}`);
        }
        p50.push(a);
        p99.push(b);
      }
      for (const [name, values] of [
        ['p50', p50],
        ['p99', p99],
      ] as const) {
        const logs = values.map(Math.log);
        const mean = logs.reduce((x, y) => x + y, 0) / logs.length;
        const sdLog = Math.sqrt(logs.reduce((x, y) => x + (y - mean) ** 2, 0) / (logs.length - 1));
        const mdeLog = minimumDetectableEffect(6, 6, sdLog, 0.05, Math.log1p(0.05));
        const mde = mdeLog === null ? 'none' : `${(Math.expm1(mdeLog) * 100).toFixed(1)}%`;
        console.log(
          `${durationS} s runs, ${name}: values ${values.map((v) => v.toFixed(2)).join(' ')} ms; ` +
            `CV ${(sdLog * 100).toFixed(1)}% (sd of log); MDE at k=6, δ=5%: ${mde}`,
        );
      }
    }
  } finally {
    await target.stop();
  }
}
console.log(`load average after: ${loadAvg()}`);
