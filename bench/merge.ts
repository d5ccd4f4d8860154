// Merging interval histograms: how long the controller/coordinator side takes to fold 1,000
// interval snapshots (`hdr` strings, compressed V2 base64) of one series into a run total.
// Compares hdr-histogram-js's own decode + add with the engine's direct codec
// (packages/engine/src/metrics/hdr-codec.ts), checks both give the same buckets, and reports the
// median of several rounds. Pure CPU: no target, no peers.
//
//   node bench/merge.ts [--histograms 1000] [--samples 200] [--rounds 7]
import { build, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { Histogram } from '../packages/engine/src/metrics/histogram.ts';
import { parseFlags, type FlagValues } from './lib/args.ts';
import { loadAvg } from './lib/proc.ts';
import { fixed, median, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult } from './lib/report.ts';

/** The flags of this benchmark (bench/all.ts passes `--merge.NAME value` through). */
export const FLAGS = {
  histograms: { kind: 'number', default: 1000, help: 'interval histograms to merge' },
  samples: { kind: 'number', default: 200, help: 'samples per interval histogram' },
  rounds: { kind: 'number', default: 7, help: 'timed rounds (median reported)' },
  goalMs: { kind: 'number', default: 50, help: 'target for decode + merge, ms' },
} as const;

/** Options of the merge benchmark. */
export type MergeOptions = FlagValues<typeof FLAGS>;

/** Deterministic xorshift generator in [0, 1), so every run merges the same data. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** Interval histograms of latencies in µs, log-uniform over 1 µs .. 1 s, as `hdr` strings. */
function intervals(count: number, samples: number): { encoded: string[]; raw: number[] } {
  const rand = rng(42);
  const encoded: string[] = [];
  const raw: number[] = [];
  for (let i = 0; i < count; i++) {
    const h = new Histogram();
    for (let j = 0; j < samples; j++) {
      const v = Math.floor(Math.exp(rand() * Math.log(1e6)));
      raw.push(v);
      h.record(v);
    }
    encoded.push(h.encode());
  }
  return { encoded, raw };
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Runs the merge benchmark. */
export function runMerge(opts: MergeOptions): PartResult {
  const load = loadAvg();
  const { encoded, raw } = intervals(opts.histograms, opts.samples);
  const libDecoded = encoded.map((e) => decodeFromCompressedBase64(e, 32, false));
  const ownDecoded = encoded.map((e) => Histogram.decode(e));
  const cases: Record<string, () => { count: number; p99: number }> = {
    // The library end to end: base64 + inflate + decode into a histogram, then add.
    'library decode + add': () => {
      const total = libraryTotal();
      for (const e of encoded) total.add(decodeFromCompressedBase64(e, 32, false));
      return { count: total.totalCount, p99: total.getValueAtPercentile(99) };
    },
    'library add (pre-decoded)': () => {
      const total = libraryTotal();
      for (const h of libDecoded) total.add(h);
      return { count: total.totalCount, p99: total.getValueAtPercentile(99) };
    },
    // What MetricTotals does now: each string added bucket by bucket into the total.
    'engine addEncoded': () => {
      const total = new Histogram({ wideCounts: true });
      for (const e of encoded) total.addEncoded(e);
      return { count: total.count, p99: total.valueAtPercentile(99) };
    },
    'engine add (pre-decoded)': () => {
      const total = new Histogram({ wideCounts: true });
      for (const h of ownDecoded) total.add(h);
      return { count: total.count, p99: total.valueAtPercentile(99) };
    },
  };
  // The exact answer: one histogram that saw every raw value.
  const exact = new Histogram({ wideCounts: true });
  for (const v of raw) exact.record(v);
  const expected = { count: exact.count, p99: exact.valueAtPercentile(99) };
  const timings: Record<string, number[]> = {};
  for (let r = 0; r < opts.rounds + 1; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      let result = { count: 0, p99: 0 };
      const ms = time(() => (result = fn()));
      if (result.count !== expected.count || result.p99 !== expected.p99) {
        throw new Error(
          `${name}: merged ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`,
        );
      }
      // Round 0 warms the JIT up and is not counted.
      if (r > 0) (timings[name] ??= []).push(ms);
    }
  }
  const encodeMs: number[] = [];
  const one = new Histogram();
  for (let j = 0; j < opts.samples * 50; j++) one.record((j * 7919) % 1_000_000);
  for (let r = 0; r < opts.rounds; r++) {
    encodeMs.push(
      time(() => {
        for (let i = 0; i < 100; i++) one.encode();
      }) / 100,
    );
  }
  const rows = [['merge of ' + opts.histograms + ' intervals', 'median ms', 'runs (ms)']];
  const medians: Record<string, number | null> = {};
  for (const [name, ms] of Object.entries(timings)) {
    medians[name] = median(ms);
    rows.push([name, fixed(median(ms), 1), ms.map((m) => m.toFixed(1)).join(' / ')]);
  }
  console.log(`\n[merge] ${opts.histograms} histograms x ${opts.samples} samples; load ${load}`);
  console.log(table(rows));
  console.log(
    `encode of one ${opts.samples * 50}-sample interval: ${fixed(median(encodeMs), 3)} ms`,
  );
  const file = writeResult('merge', { options: opts, load, medians, timings, encodeMs, expected });
  console.log(`[merge] results written to ${file}`);
  const own = medians['engine addEncoded'] ?? null;
  return {
    part: 'merge',
    file,
    verdicts: [
      {
        target: `decode + merge of ${opts.histograms} interval histograms`,
        goal: `< ${opts.goalMs} ms`,
        value: `${fixed(own, 1)} ms (library: ${fixed(medians['library decode + add'] ?? null, 1)} ms)`,
        met: own === null ? null : own < opts.goalMs,
      },
    ],
  };
}

/** An empty run total built the way the engine's Histogram builds one (64-bit counts). */
function libraryTotal(): ReturnType<typeof build> {
  return build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    useWebAssembly: false,
    bitBucketSize: 64,
  });
}

if (import.meta.main) {
  const opts = parseFlags('node bench/merge.ts', FLAGS, process.argv.slice(2));
  printVerdicts(runMerge(opts).verdicts);
}
