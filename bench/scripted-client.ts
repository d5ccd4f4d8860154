// Which HTTP client should the script `http` API use? Each candidate runs N concurrent keep-alive
// loops of GET (read the body as text, check the status) in one thread, pinned to CPU 0, against
// nginx and the Node echo target on CPU 1; wrk -t1 is the reference. Every candidate runs in a
// fresh child process, interleaved with the others, and the median of the runs is reported.
//
//   node bench/scripted-client.ts [--duration 10] [--runs 3] [--connections 50] [--only a,b]
import { Client, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { HttpAgent } from '../packages/engine/src/transport/http/index.ts';
import { parseFlags, type FlagValues } from './lib/args.ts';
import { capture, interrupted, NODE, sleep } from './lib/children.ts';
import { aptInstall } from './lib/peers-install.ts';
import { CLK_TCK, loadAvg } from './lib/proc.ts';
import { fixed, fmt, median, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult, TargetVerdict } from './lib/report.ts';
import { pinned, startEcho, startNginx, targetTicks, warmUp } from './lib/targets.ts';
import type { Target } from './lib/targets.ts';

/** The client candidates, each a loop body factory run in a child process. */
export const CANDIDATES = [
  'stampede-agent',
  'undici-pool-request',
  'undici-client-request',
  'undici-pool-dispatch',
] as const;
type Candidate = (typeof CANDIDATES)[number];

/** The flags of this benchmark (bench/all.ts passes `--scripted-client.NAME value` through). */
export const FLAGS = {
  duration: { kind: 'number', default: 10, help: 'seconds per run' },
  runs: { kind: 'number', default: 3, help: 'runs per candidate and target, interleaved' },
  connections: { kind: 'number', default: 50, help: 'concurrent keep-alive loops' },
  only: { kind: 'string', default: '', help: `subset of wrk,${CANDIDATES.join(',')}` },
  nginx: { kind: 'boolean', default: true, help: 'bench against nginx' },
  echo: { kind: 'boolean', default: true, help: 'bench against the Node echo target' },
} as const;

/** Options of the scripted-client benchmark. */
export type ScriptedClientOptions = FlagValues<typeof FLAGS>;

// ---------------------------------------------------------------------------------------------
// Child: one candidate, one run.

type Get = () => Promise<number>;

function loopsFor(
  candidate: Candidate,
  url: string,
  n: number,
): { gets: Get[]; close: () => void } {
  const u = new URL(url);
  const path = u.pathname + u.search;
  switch (candidate) {
    case 'stampede-agent': {
      // One agent per loop, as the scripted path gives each VU its own agent.
      const agents = Array.from({ length: n }, () => new HttpAgent({ cookieJar: null }));
      const spec = {
        method: 'GET',
        url,
        timeoutMs: 60_000,
        maxRedirects: 10,
        insecureSkipTLSVerify: false,
        discardBody: false,
        maxBodyBytes: 0,
      };
      const gets = agents.map((a) => async () => {
        const r = await a.request(spec);
        if (r.body !== null) r.body.toString('utf8');
        return r.status;
      });
      return { gets, close: () => agents.forEach((a) => a.close()) };
    }
    case 'undici-pool-request': {
      const pool = new Pool(u.origin, { connections: n, pipelining: 1 });
      const gets = Array.from({ length: n }, () => async () => {
        const r = await pool.request({ path, method: 'GET' });
        await r.body.text();
        return r.statusCode;
      });
      return { gets, close: () => void pool.close() };
    }
    case 'undici-client-request': {
      const clients = Array.from({ length: n }, () => new Client(u.origin, { pipelining: 1 }));
      const gets = clients.map((c) => async () => {
        const r = await c.request({ path, method: 'GET' });
        await r.body.text();
        return r.statusCode;
      });
      return { gets, close: () => clients.forEach((c) => void c.close()) };
    }
    case 'undici-pool-dispatch': {
      const pool = new Pool(u.origin, { connections: n, pipelining: 1 });
      const gets = Array.from({ length: n }, () => () => dispatchGet(pool, u.origin, path));
      return { gets, close: () => void pool.close() };
    }
  }
}

/** GET with undici's low-level dispatch API: no streams, a handler object per request. */
function dispatchGet(d: Dispatcher, origin: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    d.dispatch(
      { origin, path, method: 'GET' },
      {
        // undici 7 calls every hook of the new handler API; a missing one fails the request.
        onRequestStart() {},
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          Buffer.concat(chunks).toString('utf8');
          resolve(status);
        },
        onResponseError(_c, err) {
          reject(err);
        },
      },
    );
  });
}

async function child(candidate: Candidate, url: string, seconds: number, n: number): Promise<void> {
  const { gets, close } = loopsFor(candidate, url, n);
  let requests = 0;
  let errors = 0;
  const loop = async (get: Get, until: number): Promise<void> => {
    while (performance.now() < until) {
      try {
        if ((await get()) === 200) requests++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  // One second of warm-up so the JIT settles before the measured part.
  await Promise.all(gets.map((g) => loop(g, performance.now() + 1000)));
  requests = errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(gets.map((g) => loop(g, t0 + seconds * 1000)));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  close();
  console.log(JSON.stringify({ requests, errors, elapsedMs, cpuUs: cpu.user + cpu.system }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Parent.

interface Run {
  rate: number | null;
  errors: number;
  /** CPU of the load process per request, µs. */
  cpuPerReqUs: number | null;
  targetCpu: number | null;
  error?: string;
}

async function runOnce(tool: string, target: Target, opts: ScriptedClientOptions): Promise<Run> {
  const self = new URL(import.meta.url).pathname;
  const [cmd, args] =
    tool === 'wrk'
      ? pinned(0, 'wrk', ['-t1', `-c${opts.connections}`, `-d${opts.duration}s`, target.url])
      : pinned(0, NODE, [
          self,
          '--child',
          tool,
          target.url,
          String(opts.duration),
          String(opts.connections),
        ]);
  const before = targetTicks(target);
  const t0 = performance.now();
  const out = await capture(cmd, args, { timeoutMs: (opts.duration + 60) * 1000 });
  const after = targetTicks(target);
  const wallS = (performance.now() - t0) / 1000;
  // The child warms up for 1 s first; the target's CPU is averaged over the whole child lifetime.
  const targetCpu = wallS > 0 ? (after - before) / CLK_TCK / wallS : null;
  if (tool === 'wrk') {
    const m = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout);
    const errs = /Socket errors:.*|Non-2xx or 3xx responses:.*/.exec(out.stdout);
    return m?.[1]
      ? { rate: Number(m[1]), errors: errs ? 1 : 0, cpuPerReqUs: null, targetCpu }
      : { rate: null, errors: 0, cpuPerReqUs: null, targetCpu, error: out.stderr.slice(-300) };
  }
  try {
    const j = JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as {
      requests: number;
      errors: number;
      elapsedMs: number;
      cpuUs: number;
    };
    return {
      rate: (j.requests / j.elapsedMs) * 1000,
      errors: j.errors,
      cpuPerReqUs: j.requests > 0 ? j.cpuUs / j.requests : null,
      targetCpu,
    };
  } catch {
    return { rate: null, errors: 0, cpuPerReqUs: null, targetCpu, error: out.stderr.slice(-300) };
  }
}

/** Runs the client comparison and returns the verdicts for RESULTS.md. */
export async function runScriptedClient(opts: ScriptedClientOptions): Promise<PartResult> {
  const tools = opts.only ? opts.only.split(',').map((s) => s.trim()) : ['wrk', ...CANDIDATES];
  for (const t of tools) {
    if (t !== 'wrk' && !(CANDIDATES as readonly string[]).includes(t))
      throw new Error(`--only: unknown candidate ${t}`);
  }
  if (tools.includes('wrk') && !aptInstall('wrk', 'wrk')) tools.splice(tools.indexOf('wrk'), 1);
  const starts: (() => Promise<Target>)[] = [];
  if (opts.echo) starts.push(() => startEcho());
  if (opts.nginx && aptInstall('nginx', 'nginx')) starts.push(() => startNginx());
  const load = { before: loadAvg(), after: '' };
  console.log(
    `[client] ${tools.join(', ')}; ${opts.runs} x ${opts.duration}s, ${opts.connections} loops; load ${load.before}`,
  );
  const results: Record<string, Record<string, Run[]>> = {};
  for (const startTarget of starts) {
    if (interrupted()) break;
    const target = await startTarget();
    const perTool: Record<string, Run[]> = {};
    results[target.name] = perTool;
    try {
      await warmUp(target);
      for (let r = 1; r <= opts.runs && !interrupted(); r++) {
        for (const tool of tools) {
          if (interrupted()) break;
          const run = await runOnce(tool, target, opts);
          (perTool[tool] ??= []).push(run);
          console.log(
            `  ${target.name} ${r}/${opts.runs} ${tool.padEnd(22)} ${run.rate === null ? `FAILED ${run.error ?? ''}` : `${fmt(run.rate)} req/s`}` +
              ` cpu/req=${fixed(run.cpuPerReqUs, 1)}µs target-cpu=${fixed(run.targetCpu)} errors=${run.errors}`,
          );
          await sleep(500);
        }
      }
    } finally {
      await target.stop();
    }
  }
  load.after = loadAvg();
  const rows = [['target', 'client', 'median req/s', 'x wrk', 'cpu µs/req', 'target cpu', 'runs']];
  const medians: Record<string, Record<string, number | null>> = {};
  for (const [targetName, perTool] of Object.entries(results)) {
    const m: Record<string, number | null> = {};
    medians[targetName] = m;
    for (const tool of tools) {
      const runs = perTool[tool] ?? [];
      m[tool] = median(runs.flatMap((r) => (r.rate === null ? [] : [r.rate])));
    }
    const wrk = m['wrk'] ?? null;
    for (const tool of tools) {
      const runs = perTool[tool] ?? [];
      const med = m[tool] ?? null;
      rows.push([
        targetName,
        tool,
        fmt(med),
        wrk !== null && med !== null && tool !== 'wrk' ? fixed(med / wrk) : '-',
        fixed(median(runs.flatMap((r) => (r.cpuPerReqUs === null ? [] : [r.cpuPerReqUs]))), 1),
        fixed(median(runs.flatMap((r) => (r.targetCpu === null ? [] : [r.targetCpu])))),
        runs.map((r) => fmt(r.rate)).join(' / '),
      ]);
    }
  }
  console.log('\n' + table(rows) + `\nload average before ${load.before}, after ${load.after}`);
  const file = writeResult('scripted-client', { options: opts, load, medians, runs: results });
  console.log(`[client] results written to ${file}`);
  const verdicts: TargetVerdict[] = [];
  for (const [targetName, m] of Object.entries(medians)) {
    const own = m['stampede-agent'];
    let best = '';
    let bestRate = 0;
    for (const c of CANDIDATES) {
      const v = m[c];
      if (v !== undefined && v !== null && v > bestRate) [best, bestRate] = [c, v];
    }
    if (own === undefined || own === null || best === '') continue;
    verdicts.push({
      target: `client candidates on ${targetName} (info)`,
      goal: 'fastest',
      value: `${best} ${fmt(bestRate)}/s; stampede-agent ${fmt(own)}/s`,
      met: null,
    });
  }
  return { part: 'scripted-client', verdicts, file };
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await child(argv[1] as Candidate, argv[2] ?? '', Number(argv[3]), Number(argv[4]));
  } else {
    const opts = parseFlags('node bench/scripted-client.ts', FLAGS, argv);
    const result = await runScriptedClient(opts);
    printVerdicts(result.verdicts);
  }
}
