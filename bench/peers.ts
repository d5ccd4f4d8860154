// Peer benchmark: runs Stampede side by side with wrk and autocannon against the same target on
// 127.0.0.1 and prints request-rate ratios. Run it alone with `node bench/peers.ts` or as the
// `peers` part of `npm run bench` (see bench/README.md).
//
// The target runs as a child process pinned to CPU 1 and every load tool to CPU 0 (taskset), so the
// tool and the target never compete for a core. Tools run interleaved (A,B,C,A,B,C,…) and the
// median of the runs is reported. Every child is killed by its PID at the end, on errors and on
// Ctrl-C.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags, type FlagValues } from './lib/args.ts';
import { BENCH_DIR, capture, interrupted, NODE, sleep, STAMPEDE_JS } from './lib/children.ts';
import { aptInstall, AUTOCANNON_JS, ensureAutocannon } from './lib/peers-install.ts';
import { CLK_TCK, loadAvg } from './lib/proc.ts';
import { fmt, median, OUT_DIR, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult, TargetVerdict } from './lib/report.ts';
import {
  pinned,
  pinning,
  startEcho,
  startNginx,
  targetTicks,
  warmUp,
  type Target,
} from './lib/targets.ts';

const SCRIPT_TS = join(BENCH_DIR, 'scripts', 'scripted.ts');

const TOOLS = ['wrk', 'autocannon', 'stampede', 'stampede-script'] as const;
type Tool = (typeof TOOLS)[number];

/** The flags of this benchmark (bench/all.ts passes `--peers.NAME value` through). */
export const FLAGS = {
  duration: { kind: 'number', default: 10, help: 'seconds per run' },
  runs: { kind: 'number', default: 3, help: 'runs per tool and target, interleaved' },
  connections: {
    kind: 'number',
    default: 50,
    help: 'connections (wrk, autocannon) / VUs (Stampede)',
  },
  nginx: {
    kind: 'boolean',
    default: true,
    help: 'also bench against nginx (if it can be installed)',
  },
  only: { kind: 'string', default: TOOLS.join(','), help: 'subset of the tools' },
  goal: { kind: 'number', default: 0.5, help: 'goal for stampede-script / wrk' },
  fastGoal: { kind: 'number', default: 1.0, help: 'goal for stampede (fast path) / wrk' },
  fastAutocannonGoal: {
    kind: 'number',
    default: 1.5,
    help: 'goal for stampede (fast path) / autocannon',
  },
} as const;

/** Options of the peer benchmark. */
export type PeersOptions = FlagValues<typeof FLAGS>;
type Options = PeersOptions;

interface RunResult {
  run: number;
  rate: number | null;
  error?: string;
  /** CPU the target used during the run, in cores (1 = one core busy). */
  targetCpu: number | null;
  extra: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Tools

async function runTool(
  tool: Tool,
  target: Target,
  opts: Options,
  runNo: number,
): Promise<RunResult> {
  const c = String(opts.connections);
  const d = opts.duration;
  const summaryFile = join(OUT_DIR, `.summary-${process.pid}-${tool}-${target.name}-${runNo}.json`);
  let cmd: string;
  let args: string[];
  switch (tool) {
    case 'wrk':
      [cmd, args] = pinned(0, 'wrk', ['-t1', `-c${c}`, `-d${d}s`, target.url]);
      break;
    case 'autocannon':
      [cmd, args] = pinned(0, NODE, [
        AUTOCANNON_JS,
        '-c',
        c,
        '-d',
        String(d),
        '--json',
        target.url,
      ]);
      break;
    case 'stampede':
    case 'stampede-script': {
      const common = ['--vus', c, '--duration', `${d}s`, '--workers', '1', '--quiet', '--no-color'];
      const what =
        tool === 'stampede' ? ['--url', target.url] : [SCRIPT_TS, '--env', `TARGET=${target.url}`];
      [cmd, args] = pinned(0, NODE, [
        STAMPEDE_JS,
        'run',
        ...what,
        ...common,
        '--summary-json',
        summaryFile,
      ]);
      break;
    }
  }
  const before = targetTicks(target);
  const started = process.hrtime.bigint();
  let loadStarted = started;
  const out = await capture(cmd, args, {
    onStart: () => (loadStarted = process.hrtime.bigint()),
    timeoutMs: (d + 60) * 1000,
  });
  const elapsedS = Number(process.hrtime.bigint() - loadStarted) / 1e9;
  const after = targetTicks(target);
  const targetCpu = elapsedS > 0 && after >= before ? (after - before) / CLK_TCK / elapsedS : null;
  const result: RunResult = { run: runNo, rate: null, targetCpu, extra: {} };
  const fail = (why: string): RunResult => {
    result.error = `${why} (exit ${out.code ?? out.signal}): ${out.stderr.trim().slice(-400)}`;
    return result;
  };
  try {
    switch (tool) {
      case 'wrk': {
        const m = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout);
        if (!m?.[1]) return fail('no "Requests/sec:" in wrk output');
        result.rate = Number(m[1]);
        const errors = /Socket errors:.*|Non-2xx or 3xx responses:.*/g;
        const notes = out.stdout.match(errors);
        if (notes) result.extra['errors'] = notes.join('; ');
        break;
      }
      case 'autocannon': {
        const start = out.stdout.indexOf('{');
        if (start < 0) return fail('no JSON from autocannon');
        const j = JSON.parse(out.stdout.slice(start)) as {
          requests: { average: number; total: number };
          duration: number;
          errors: number;
          non2xx: number;
        };
        // total / duration, like wrk's Requests/sec and Stampede's http_reqs rate; the
        // per-second average autocannon prints is kept alongside.
        result.rate = j.requests.total / j.duration;
        result.extra['requestsAverage'] = j.requests.average;
        result.extra['errors'] = j.errors;
        result.extra['non2xx'] = j.non2xx;
        break;
      }
      case 'stampede':
      case 'stampede-script': {
        if (!existsSync(summaryFile)) return fail('no summary JSON from stampede');
        const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
          metrics: Record<string, { values: Record<string, number> } | undefined>;
          checks: { passes: number; fails: number }[];
          generator: {
            saturated: boolean;
            reasons: string[];
            cpuUtilization: number;
            cpuUtilizationMax: number;
            eventLoopDelayP99Ms: number;
          };
        };
        rmSync(summaryFile, { force: true });
        const rate = s.metrics['http_reqs']?.values['rate'];
        if (rate === undefined) return fail('no http_reqs in the summary');
        result.rate = rate;
        result.extra['saturated'] = s.generator.saturated;
        result.extra['saturationReasons'] = s.generator.reasons;
        result.extra['cpu'] = s.generator.cpuUtilization;
        result.extra['cpuMax'] = s.generator.cpuUtilizationMax;
        result.extra['eventLoopDelayP99Ms'] = s.generator.eventLoopDelayP99Ms;
        result.extra['failedRate'] = s.metrics['http_req_failed']?.values['rate'] ?? null;
        result.extra['checkFails'] = s.checks.reduce((n, ch) => n + ch.fails, 0);
        if (out.code !== 0) result.extra['exitCode'] = out.code;
        break;
      }
    }
  } catch (e) {
    return fail(`could not parse output: ${(e as Error).message}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Main

/** Runs the peer benchmark; the verdicts are the fast path's and the scripted path's ratios per target. */
export async function runPeers(opts: PeersOptions): Promise<PartResult> {
  mkdirSync(OUT_DIR, { recursive: true });
  const only = opts.only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const t of only) {
    if (!(TOOLS as readonly string[]).includes(t)) throw new Error(`--only: unknown tool ${t}`);
  }
  if (!pinning()) {
    console.warn('[bench] WARNING: taskset missing or fewer than 2 CPUs: running unpinned');
  }
  const tools: Tool[] = [];
  for (const tool of only as Tool[]) {
    const ok =
      tool === 'wrk' ? aptInstall('wrk', 'wrk') : tool === 'autocannon' ? ensureAutocannon() : true;
    if (ok) tools.push(tool);
    else console.warn(`[bench] WARNING: ${tool} is not available, skipping it`);
  }
  const nginx = opts.nginx && aptInstall('nginx', 'nginx');
  if (opts.nginx && !nginx) console.warn('[bench] WARNING: nginx is not available, skipping it');
  const targets: (() => Promise<Target>)[] = [() => startEcho()];
  if (nginx) targets.push(() => startNginx());
  const load = { before: loadAvg(), after: '' };
  console.log(
    `[bench] tools: ${tools.join(', ')}; ${opts.runs} run(s) x ${opts.duration}s, ` +
      `${opts.connections} connections; tool on CPU 0, target on CPU 1${pinning() ? '' : ' (NOT pinned)'}; load ${load.before}`,
  );

  const results: Record<string, Record<string, RunResult[]>> = {};
  for (const startTarget of targets) {
    if (interrupted()) break;
    let target: Target;
    try {
      target = await startTarget();
    } catch (e) {
      console.warn(`[bench] WARNING: ${(e as Error).message}; skipping this target`);
      continue;
    }
    const perTool: Record<string, RunResult[]> = {};
    results[target.name] = perTool;
    console.log(`[bench] target ${target.name} at ${target.url}`);
    try {
      // Warm-up: two seconds of plain Node requests so the target's JIT is not charged to the first tool.
      await warmUp(target);
      for (let r = 1; r <= opts.runs && !interrupted(); r++) {
        for (const tool of tools) {
          if (interrupted()) break;
          const res = await runTool(tool, target, opts, r);
          (perTool[tool] ??= []).push(res);
          const extra =
            tool.startsWith('stampede') && res.rate !== null
              ? ` cpu=${Number(res.extra['cpu']).toFixed(2)} saturated=${String(res.extra['saturated'])}`
              : '';
          console.log(
            `  ${target.name} run ${r}/${opts.runs} ${tool.padEnd(15)} ` +
              (res.rate === null ? `FAILED: ${res.error}` : `${fmt(res.rate)} req/s`) +
              ` target-cpu=${res.targetCpu?.toFixed(2) ?? '-'}${extra}`,
          );
          await sleep(1000);
        }
      }
    } finally {
      await target.stop();
    }
  }
  load.after = loadAvg();

  // Medians and ratios.
  const summary: Record<
    string,
    { medians: Partial<Record<Tool, number | null>>; ratios: Record<string, number | null> }
  > = {};
  const rows: string[][] = [
    ['target', 'tool', 'median req/s', 'runs (req/s)', 'target cpu', 'notes'],
  ];
  const ratioRows: string[][] = [['target', 'ratio', 'value']];
  for (const [targetName, perTool] of Object.entries(results)) {
    const medians: Partial<Record<Tool, number | null>> = {};
    for (const tool of tools) {
      const rs = perTool[tool] ?? [];
      const rates = rs.flatMap((r) => (r.rate === null ? [] : [r.rate]));
      const med = median(rates);
      medians[tool] = med;
      const cpuMed = median(rs.flatMap((r) => (r.targetCpu === null ? [] : [r.targetCpu])));
      let notes = rs.some((r) => r.error) ? `${rs.filter((r) => r.error).length} failed` : '';
      if (tool.startsWith('stampede')) {
        const sat = rs.filter((r) => r.extra['saturated'] === true).length;
        const cpu = median(
          rs.flatMap((r) => (typeof r.extra['cpu'] === 'number' ? [r.extra['cpu']] : [])),
        );
        notes = [notes, `gen cpu ${cpu?.toFixed(2) ?? '-'}`, `saturated ${sat}/${rs.length}`]
          .filter(Boolean)
          .join(', ');
      }
      rows.push([
        targetName,
        tool,
        fmt(med),
        rs.map((r) => fmt(r.rate)).join(' / '),
        cpuMed === null ? '-' : cpuMed.toFixed(2),
        notes,
      ]);
    }
    const ratios: Record<string, number | null> = {};
    for (const s of ['stampede', 'stampede-script'] as const) {
      for (const p of ['wrk', 'autocannon'] as const) {
        const a = medians[s];
        const b = medians[p];
        if (a === undefined || b === undefined) continue;
        const v = a !== null && b !== null && b > 0 ? a / b : null;
        ratios[`${s}/${p}`] = v;
        ratioRows.push([targetName, `${s}/${p}`, v === null ? '-' : v.toFixed(2)]);
      }
    }
    summary[targetName] = { medians, ratios };
  }

  console.log('\n' + table(rows));
  if (ratioRows.length > 1) console.log('\n' + table(ratioRows));
  console.log(`load average ${load.before} -> ${load.after}`);
  const file = writeResult('peers', { options: opts, tools, load, summary, runs: results });
  console.log(`\n[bench] results written to ${file}`);
  const verdicts: TargetVerdict[] = [];
  // Issue 3's goals: fast path (quick mode) >= 1.0x wrk and >= 1.5x autocannon, scripted >= 0.5x wrk.
  const goals = [
    { tool: 'stampede', peer: 'wrk', goal: opts.fastGoal, label: 'fast path / wrk' },
    {
      tool: 'stampede',
      peer: 'autocannon',
      goal: opts.fastAutocannonGoal,
      label: 'fast path / autocannon',
    },
    { tool: 'stampede-script', peer: 'wrk', goal: opts.goal, label: 'scripted path / wrk' },
  ] as const;
  for (const [targetName, { ratios, medians }] of Object.entries(summary)) {
    for (const g of goals) {
      const v = ratios[`${g.tool}/${g.peer}`];
      if (v === undefined) continue;
      verdicts.push({
        target: `${g.label} on ${targetName}`,
        goal: `>= ${g.goal}`,
        value: `${v === null ? '-' : v.toFixed(2)} (${fmt(medians[g.tool])} vs ${fmt(medians[g.peer])} req/s)`,
        met: v === null ? null : v >= g.goal,
      });
    }
  }
  return { part: 'peers', file, verdicts };
}

if (import.meta.main) {
  const opts = parseFlags('node bench/peers.ts', FLAGS, process.argv.slice(2));
  printVerdicts((await runPeers(opts)).verdicts);
}
