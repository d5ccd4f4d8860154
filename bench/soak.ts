// Soak: `stampede run --url URL --rate 10000 --duration 10m` against nginx, the resident memory of
// the generator process sampled every 10 s. Goal: the RSS at the end (after minute 10) within 10%
// of the RSS after minute 1, i.e. memory does not creep with the length of a run. --duration 120
// checks the same thing in two minutes.
//
//   node bench/soak.ts [--rate 10000] [--duration 600] [--sample 10]
import { readFileSync } from 'node:fs';
import { parseFlags, type FlagValues } from './lib/args.ts';
import { aptInstall } from './lib/peers-install.ts';
import { loadAvg } from './lib/proc.ts';
import { fixed, fmt, median, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult } from './lib/report.ts';
import { metric, runStampede, tempFile } from './lib/stampede.ts';
import { startEcho, startNginx, warmUp } from './lib/targets.ts';

/** The flags of this benchmark (bench/all.ts passes `--soak.NAME value` through). */
export const FLAGS = {
  rate: { kind: 'number', default: 10_000, help: 'arrival rate, requests/s' },
  duration: { kind: 'number', default: 600, help: 'seconds (600 = the 10-minute soak)' },
  sample: { kind: 'number', default: 10, help: 'RSS sampling period, seconds' },
  reference: { kind: 'number', default: 60, help: 'compare the end with the RSS at this second' },
  workers: { kind: 'number', default: 1, help: 'load workers' },
  nginx: { kind: 'boolean', default: true, help: 'target nginx (else the Node echo target)' },
  tolerance: { kind: 'number', default: 0.1, help: 'allowed relative RSS growth' },
} as const;

/** Options of the soak benchmark. */
export type SoakOptions = FlagValues<typeof FLAGS>;

/** Runs the soak benchmark. */
export async function runSoak(opts: SoakOptions): Promise<PartResult> {
  const target =
    opts.nginx && aptInstall('nginx', 'nginx')
      ? await startNginx({ connections: 20_000 })
      : await startEcho({ files: 65_536 });
  const load = { before: loadAvg(), after: '' };
  console.log(
    `[soak] ${fmt(opts.rate)}/s for ${opts.duration}s against ${target.name}, RSS every ${opts.sample}s; load ${load.before}`,
  );
  const ndjson = tempFile('soak.ndjson');
  let run;
  try {
    await warmUp(target);
    run = await runStampede(
      [
        '--url',
        target.url,
        '--rate',
        String(opts.rate),
        '--duration',
        `${opts.duration}s`,
        '--workers',
        String(opts.workers),
        '--out',
        `json=${ndjson}`,
      ],
      { files: 65_536, sampleMs: opts.sample * 1000, timeoutMs: (opts.duration + 180) * 1000 },
    );
  } finally {
    await target.stop();
  }
  load.after = loadAvg();
  const s = run.summary;
  if (s === null) throw new Error(`stampede exited ${run.code}: ${run.stderr}`);
  const samples = run.rss.map((x) => ({ atS: Math.round(x.atS), rssMiB: x.rssKiB / 1024 }));
  // The reference: the first sample at or after `reference` seconds; the end: the last sample
  // taken while the load was still running (not during the shutdown after `duration`).
  const ref = samples.find((x) => x.atS >= opts.reference) ?? null;
  const during = samples.filter((x) => x.atS <= opts.duration + 1);
  const end = during[during.length - 1] ?? null;
  const growth = ref !== null && end !== null && ref !== end ? end.rssMiB / ref.rssMiB - 1 : null;
  const requests = metric(s, 'http_reqs', 'count');
  // RSS saw-tooths with the collector (±25% here), so the per-minute median is shown next to the
  // two single samples the goal compares.
  const rssPerMinute = new Map<number, number[]>();
  for (const x of during) {
    if (x.atS <= 0) continue;
    const minute = Math.floor((x.atS - 1) / 60) + 1;
    rssPerMinute.set(minute, [...(rssPerMinute.get(minute) ?? []), x.rssMiB]);
  }
  const rssMedians = [...rssPerMinute].map(([minute, xs]) => ({ minute, medianMiB: median(xs) }));
  console.log(
    'RSS median per minute, MiB: ' +
      rssMedians.map((m) => `${m.minute}: ${fixed(m.medianMiB, 0)}`).join(', '),
  );
  const heap = workerHeapPerMinute(ndjson);
  if (heap.length > 0) {
    console.log(
      'load worker heap per minute, MiB (lowest / highest of its intervals): ' +
        heap.map((h) => `${h.minute}: ${fixed(h.minMiB, 0)}/${fixed(h.maxMiB, 0)}`).join(', '),
    );
  }
  const rows = [['second', 'RSS MiB']];
  for (const x of samples) rows.push([String(x.atS), fixed(x.rssMiB, 1)]);
  console.log('\n' + table(rows));
  console.log(
    `requests ${fmt(requests)} (${fmt(requests === null ? null : requests / opts.duration)}/s), ` +
      `dropped ${Object.values(s.scenarios).reduce((n, sc) => n + sc.droppedIterations, 0)}, ` +
      `failed ${fixed(metric(s, 'http_req_failed', 'rate'), 4)}, path ${s.generator.path ?? '?'}, ` +
      `RSS ${fixed(ref?.rssMiB, 1)} MiB at ${ref?.atS ?? '-'}s -> ${fixed(end?.rssMiB, 1)} MiB at ${end?.atS ?? '-'}s ` +
      `(${fixed(growth === null ? null : growth * 100, 1)}%); load ${load.before} -> ${load.after}`,
  );
  const file = writeResult('soak', {
    options: opts,
    target: target.name,
    load,
    samples,
    reference: ref,
    end,
    growth,
    requests,
    path: s.generator.path ?? null,
    generator: s.generator,
    dropped: Object.values(s.scenarios).reduce((n, sc) => n + sc.droppedIterations, 0),
    failedRate: metric(s, 'http_req_failed', 'rate'),
    peakRssMiB: run.peakRssKiB / 1024,
    workerHeapPerMinute: heap,
    rssMedianPerMinute: rssMedians,
  });
  console.log(`[soak] results written to ${file}`);
  return {
    part: 'soak',
    file,
    verdicts: [
      {
        target: `soak ${fmt(opts.rate)}/s x ${opts.duration}s: RSS growth from ${opts.reference}s to the end`,
        goal: `within ${opts.tolerance * 100}%`,
        value:
          growth === null
            ? 'not enough samples'
            : `${fixed(growth * 100, 1)}% (${fixed(ref?.rssMiB, 0)} -> ${fixed(end?.rssMiB, 0)} MiB)`,
        met: growth === null ? null : Math.abs(growth) <= opts.tolerance,
      },
    ],
  };
}

if (import.meta.main) {
  const opts = parseFlags('node bench/soak.ts', FLAGS, process.argv.slice(2));
  printVerdicts((await runSoak(opts)).verdicts);
}

/**
 * The load workers' heap per minute of the run, from the interval snapshots' health: the lowest
 * reading of a minute is close to its live set, so a rising lowest value is a leak, a rising
 * highest value only a larger heap between collections.
 */
function workerHeapPerMinute(file: string): { minute: number; minMiB: number; maxMiB: number }[] {
  const perMinute = new Map<number, { min: number; max: number }>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  let first: number | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const snap = JSON.parse(line) as { startMs: number; health?: { heapUsedBytes: number }[] };
    first ??= snap.startMs;
    const minute = Math.floor((snap.startMs - first) / 60_000) + 1;
    for (const h of snap.health ?? []) {
      const m = perMinute.get(minute) ?? { min: Infinity, max: 0 };
      m.min = Math.min(m.min, h.heapUsedBytes);
      m.max = Math.max(m.max, h.heapUsedBytes);
      perMinute.set(minute, m);
    }
  }
  return [...perMinute].map(([minute, m]) => ({
    minute,
    minMiB: m.min / 2 ** 20,
    maxMiB: m.max / 2 ** 20,
  }));
}
