// Open model at a fixed arrival rate: `stampede run --url URL --rate 20000 --duration 30s` (quick
// mode) against nginx, generator pinned to CPU 0 and nginx to CPU 1. Goals: the achieved rate
// within ±1% of the asked one (requests sent / duration), send_lag p99 under 2 ms, no dropped
// iterations. Quick mode takes whatever path the CLI picks (the summary's generator.path says
// which); --scripted adds --no-fast-path to measure the scripted path as well.
//
//   node bench/arrival.ts [--rate 20000] [--duration 30] [--runs 3] [--scripted]
import { parseFlags, type FlagValues } from './lib/args.ts';
import { interrupted, sleep } from './lib/children.ts';
import { aptInstall } from './lib/peers-install.ts';
import { CLK_TCK, loadAvg } from './lib/proc.ts';
import { fixed, fmt, median, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult, TargetVerdict } from './lib/report.ts';
import { cliHasFlag, metric, runStampede } from './lib/stampede.ts';
import { startEcho, startNginx, targetTicks, warmUp, type Target } from './lib/targets.ts';

/** The flags of this benchmark (bench/all.ts passes `--arrival.NAME value` through). */
export const FLAGS = {
  rate: { kind: 'number', default: 20_000, help: 'arrival rate, requests/s' },
  duration: { kind: 'number', default: 30, help: 'seconds per run' },
  runs: { kind: 'number', default: 3, help: 'runs per path (median reported)' },
  workers: { kind: 'number', default: 1, help: 'load workers' },
  scripted: { kind: 'boolean', default: false, help: 'also run with --no-fast-path' },
  nginx: { kind: 'boolean', default: true, help: 'target nginx (else the Node echo target)' },
  rateTolerance: { kind: 'number', default: 0.01, help: 'allowed relative rate error' },
  sendLagP99Ms: { kind: 'number', default: 2, help: 'goal for send_lag p99, ms' },
} as const;

/** Options of the arrival-rate benchmark. */
export type ArrivalOptions = FlagValues<typeof FLAGS>;

interface ArrivalRun {
  mode: string;
  path: string | null;
  requests: number | null;
  /** Requests sent / asked duration, per second. */
  achievedPerSec: number | null;
  rateError: number | null;
  sendLagP99Ms: number | null;
  dropped: number;
  failedRate: number | null;
  durationP99Ms: number | null;
  saturated: boolean | null;
  cpu: number | null;
  targetCpu: number | null;
  exitCode: number | null;
}

async function one(target: Target, opts: ArrivalOptions, mode: string): Promise<ArrivalRun> {
  const args = [
    '--url',
    target.url,
    '--rate',
    String(opts.rate),
    '--duration',
    `${opts.duration}s`,
    '--workers',
    String(opts.workers),
    ...(mode === 'scripted' ? ['--no-fast-path'] : []),
  ];
  const before = targetTicks(target);
  // An overloaded generator opens a connection per busy VU (up to maxVUs): room for all of them.
  const r = await runStampede(args, { files: 65_536, timeoutMs: (opts.duration + 120) * 1000 });
  const targetCpu = r.wallS > 0 ? (targetTicks(target) - before) / CLK_TCK / r.wallS : null;
  const s = r.summary;
  if (s === null) throw new Error(`stampede exited ${r.code}: ${r.stderr}`);
  const requests = metric(s, 'http_reqs', 'count');
  const achieved = requests === null ? null : requests / opts.duration;
  const dropped = Object.values(s.scenarios).reduce((n, sc) => n + sc.droppedIterations, 0);
  return {
    mode,
    path: s.generator.path ?? null,
    requests,
    achievedPerSec: achieved,
    rateError: achieved === null ? null : achieved / opts.rate - 1,
    sendLagP99Ms: metric(s, 'send_lag', 'p99'),
    dropped,
    failedRate: metric(s, 'http_req_failed', 'rate'),
    durationP99Ms: metric(s, 'http_req_duration', 'p99'),
    saturated: s.generator.saturated,
    cpu: s.generator.cpuUtilization,
    targetCpu,
    exitCode: r.code,
  };
}

/** Runs the arrival-rate benchmark. */
export async function runArrival(opts: ArrivalOptions): Promise<PartResult> {
  const modes = ['default'];
  if (opts.scripted) {
    if (await cliHasFlag('--no-fast-path')) modes.push('scripted');
    else console.warn('[arrival] this CLI has no --no-fast-path; measuring its default path only');
  }
  const useNginx = opts.nginx && aptInstall('nginx', 'nginx');
  const target = useNginx
    ? await startNginx({ connections: 20_000 })
    : await startEcho({ files: 65_536 });
  const load = { before: loadAvg(), after: '' };
  console.log(
    `[arrival] ${fmt(opts.rate)}/s for ${opts.duration}s against ${target.name}, ${opts.runs} run(s) per mode; load ${load.before}`,
  );
  const runs: ArrivalRun[] = [];
  try {
    await warmUp(target);
    for (let i = 1; i <= opts.runs && !interrupted(); i++) {
      for (const mode of modes) {
        const r = await one(target, opts, mode);
        runs.push(r);
        console.log(
          `  ${mode} ${i}/${opts.runs} (path ${r.path ?? '?'}): ${fmt(r.achievedPerSec)}/s ` +
            `(${fixed((r.rateError ?? 0) * 100, 2)}%), send_lag p99 ${fixed(r.sendLagP99Ms, 3)} ms, ` +
            `dropped ${r.dropped}, failed ${fixed(r.failedRate, 4)}, cpu ${fixed(r.cpu)}, saturated=${String(r.saturated)}`,
        );
        await sleep(1000);
      }
    }
  } finally {
    await target.stop();
  }
  load.after = loadAvg();
  const rows = [
    [
      'mode',
      'path',
      'achieved/s',
      'error %',
      'send_lag p99 ms',
      'dropped',
      'failed',
      'p99 ms',
      'gen cpu',
    ],
  ];
  for (const r of runs) {
    rows.push([
      r.mode,
      r.path ?? '-',
      fmt(r.achievedPerSec),
      fixed((r.rateError ?? 0) * 100, 2),
      fixed(r.sendLagP99Ms, 3),
      String(r.dropped),
      fixed(r.failedRate, 4),
      fixed(r.durationP99Ms, 2),
      fixed(r.cpu),
    ]);
  }
  console.log('\n' + table(rows) + `\nload average ${load.before} -> ${load.after}`);
  const file = writeResult('arrival', { options: opts, target: target.name, load, runs });
  console.log(`[arrival] results written to ${file}`);
  const verdicts: TargetVerdict[] = [];
  for (const mode of modes) {
    const rs = runs.filter((r) => r.mode === mode);
    const err = median(rs.flatMap((r) => (r.rateError === null ? [] : [Math.abs(r.rateError)])));
    const lag = median(rs.flatMap((r) => (r.sendLagP99Ms === null ? [] : [r.sendLagP99Ms])));
    const dropped = rs.reduce((n, r) => n + r.dropped, 0);
    const path = rs[0]?.path ?? mode;
    const what = `arrival ${fmt(opts.rate)}/s x ${opts.duration}s (${path} path)`;
    verdicts.push(
      {
        target: `${what}: rate error`,
        goal: `within ±${opts.rateTolerance * 100}%`,
        value: `${fixed(err === null ? null : err * 100, 2)}% (median of |error|)`,
        met: err === null ? null : err <= opts.rateTolerance,
      },
      {
        target: `${what}: send_lag p99`,
        goal: `< ${opts.sendLagP99Ms} ms`,
        value: lag === null ? 'not reported' : `${fixed(lag, 3)} ms (median)`,
        met: lag === null ? null : lag < opts.sendLagP99Ms,
      },
      {
        target: `${what}: dropped iterations`,
        goal: '0',
        value: `${dropped} over ${rs.length} run(s)`,
        met: rs.length === 0 ? null : dropped === 0,
      },
    );
  }
  return { part: 'arrival', file, verdicts };
}

if (import.meta.main) {
  const opts = parseFlags('node bench/arrival.ts', FLAGS, process.argv.slice(2));
  printVerdicts((await runArrival(opts)).verdicts);
}
