// 100,000 concurrent VUs that each sleep in a loop (`await sleep(1)`): the peak resident memory of
// the `stampede` process (VmHWM from /proc, sampled while it runs), against a goal of 1 GiB. A
// short run with a few VUs gives the process's own baseline, so the cost of one VU can be told.
//
//   node bench/vus.ts [--vus 100000] [--duration 30] [--runs 1] [--baseline-vus 100]
import { parseFlags, type FlagValues } from './lib/args.ts';
import { interrupted, sleep } from './lib/children.ts';
import { loadAvg } from './lib/proc.ts';
import { fixed, fmt, median, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult } from './lib/report.ts';
import { metric, runStampede, writeScript, type StampedeRun } from './lib/stampede.ts';

/** The flags of this benchmark (bench/all.ts passes `--vus.NAME value` through). */
export const FLAGS = {
  vus: { kind: 'number', default: 100_000, help: 'concurrent VUs' },
  duration: { kind: 'number', default: 30, help: 'seconds per run' },
  sleep: { kind: 'number', default: 1, help: 'seconds each VU sleeps per iteration' },
  runs: { kind: 'number', default: 1, help: 'runs (median of the peaks reported)' },
  workers: { kind: 'number', default: 1, help: 'load workers' },
  baselineVus: { kind: 'number', default: 100, help: 'VUs of the baseline run (0: none)' },
  goalMib: { kind: 'number', default: 1024, help: 'goal for the peak RSS, MiB' },
  pin: { kind: 'boolean', default: true, help: 'pin the CLI to CPU 0' },
  nodeFlags: {
    kind: 'string',
    default: '',
    help: 'space-separated flags for Node/V8 (experiments, e.g. --heap-growing-percent=50)',
  },
} as const;

/** Options of the VU memory benchmark. */
export type VusOptions = FlagValues<typeof FLAGS>;

const SCRIPT = `// bench/vus.ts: every VU sleeps in a loop.
import { sleep } from 'stampede';
export default async function () {
  await sleep(Number(__ENV.SLEEP_S ?? 1));
}
`;

interface VusRun {
  vus: number;
  peakRssMiB: number;
  iterationsPerSec: number | null;
  /** Iterations/s if every VU woke exactly on time: vus / sleep. */
  idealPerSec: number;
  vusMax: number | null;
  saturated: boolean | null;
  eventLoopDelayP99Ms: number | null;
  exitCode: number | null;
  rss: { atS: number; rssMiB: number }[];
}

function toRun(vus: number, opts: VusOptions, r: StampedeRun): VusRun {
  const s = r.summary;
  return {
    vus,
    peakRssMiB: r.peakRssKiB / 1024,
    iterationsPerSec: metric(s, 'iterations', 'rate'),
    idealPerSec: vus / opts.sleep,
    vusMax: metric(s, 'vus_max', 'max'),
    saturated: s?.generator.saturated ?? null,
    eventLoopDelayP99Ms: s?.generator.eventLoopDelayP99Ms ?? null,
    exitCode: r.code,
    // One sample a second is plenty in the result file.
    rss: r.rss
      .filter((x, i, all) => i === 0 || Math.floor(x.atS) !== Math.floor(all[i - 1]?.atS ?? -1))
      .map((x) => ({ atS: Math.round(x.atS * 10) / 10, rssMiB: Math.round(x.rssKiB / 1024) })),
  };
}

async function one(vus: number, durationS: number, opts: VusOptions): Promise<VusRun> {
  const script = writeScript('vus-sleep.ts', SCRIPT);
  const args = [
    script,
    '--vus',
    String(vus),
    '--duration',
    `${durationS}s`,
    '--workers',
    String(opts.workers),
    '--env',
    `SLEEP_S=${opts.sleep}`,
  ];
  const r = await runStampede(args, {
    nodeArgs: opts.nodeFlags.split(' ').filter(Boolean),
    cpu: opts.pin ? 0 : null,
    timeoutMs: (durationS + 120) * 1000,
    sampleMs: 100,
  });
  if (r.summary === null) throw new Error(`stampede exited ${r.code}: ${r.stderr}`);
  return toRun(vus, opts, r);
}

/** Runs the VU memory benchmark. */
export async function runVus(opts: VusOptions): Promise<PartResult> {
  const load = { before: loadAvg(), after: '' };
  console.log(
    `[vus] ${fmt(opts.vus)} VUs sleeping ${opts.sleep}s, ${opts.runs} x ${opts.duration}s; load ${load.before}`,
  );
  let baseline: VusRun | null = null;
  if (opts.baselineVus > 0) {
    baseline = await one(opts.baselineVus, Math.min(5, opts.duration), opts);
    console.log(`  baseline ${opts.baselineVus} VUs: peak ${fixed(baseline.peakRssMiB, 0)} MiB`);
  }
  const runs: VusRun[] = [];
  for (let i = 1; i <= opts.runs && !interrupted(); i++) {
    const r = await one(opts.vus, opts.duration, opts);
    runs.push(r);
    console.log(
      `  run ${i}/${opts.runs}: peak ${fixed(r.peakRssMiB, 0)} MiB, ${fmt(r.iterationsPerSec)} iterations/s ` +
        `(ideal ${fmt(r.idealPerSec)}), vus_max ${fmt(r.vusMax)}, saturated=${String(r.saturated)}`,
    );
    await sleep(1000);
  }
  load.after = loadAvg();
  const peak = median(runs.map((r) => r.peakRssMiB));
  const perVuKiB =
    peak !== null && baseline !== null
      ? ((peak - baseline.peakRssMiB) * 1024) / (opts.vus - opts.baselineVus)
      : null;
  const rows = [
    ['VUs', 'peak RSS MiB', 'iterations/s', 'ideal/s', 'event-loop p99 ms', 'saturated'],
  ];
  for (const r of [...(baseline ? [baseline] : []), ...runs]) {
    rows.push([
      fmt(r.vus),
      fixed(r.peakRssMiB, 0),
      fmt(r.iterationsPerSec),
      fmt(r.idealPerSec),
      fixed(r.eventLoopDelayP99Ms, 0),
      String(r.saturated),
    ]);
  }
  console.log('\n' + table(rows));
  console.log(
    `peak RSS per VU above the baseline: ${fixed(perVuKiB, 2)} KiB; load ${load.before} -> ${load.after}`,
  );
  const file = writeResult('vus', { options: opts, load, baseline, runs, perVuKiB });
  console.log(`[vus] results written to ${file}`);
  return {
    part: 'vus',
    file,
    verdicts: [
      {
        target: `${fmt(opts.vus)} sleeping VUs: peak RSS`,
        goal: `< ${opts.goalMib} MiB`,
        value: `${fixed(peak, 0)} MiB (${fixed(perVuKiB, 2)} KiB/VU)`,
        met: peak === null ? null : peak < opts.goalMib,
      },
    ],
  };
}

if (import.meta.main) {
  const opts = parseFlags('node bench/vus.ts', FLAGS, process.argv.slice(2));
  printVerdicts((await runVus(opts)).verdicts);
}
