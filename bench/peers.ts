// Peer benchmark: runs Stampede side by side with wrk and autocannon against the same target on
// 127.0.0.1 and prints request-rate ratios. Run with `npm run bench` (see bench/README.md).
//
// The target runs as a child process pinned to CPU 1 and every load tool to CPU 0 (taskset), so the
// tool and the target never compete for a core. Tools run interleaved (A,B,C,A,B,C,…) and the
// median of the runs is reported. Every child is killed by its PID at the end, on errors and on
// Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const PEERS_DIR = join(BENCH_DIR, '.peers');
const OUT_DIR = join(BENCH_DIR, 'out');
const AUTOCANNON_JS = join(PEERS_DIR, 'node_modules', 'autocannon', 'autocannon.js');
const STAMPEDE_JS = join(ROOT, 'packages', 'cli', 'bin', 'stampede.js');
const ECHO_TS = join(ROOT, 'examples', 'targets', 'echo-server.ts');
const SCRIPT_TS = join(BENCH_DIR, 'scripts', 'scripted.ts');
/** Same body as the echo target, so both targets answer the same bytes. */
const BODY = '{"ok":true,"service":"stampede-echo"}';
/** This Node (the pinned Node 24 under `npm run bench`); used for every Node child. */
const NODE = process.execPath;
const CLK_TCK = 100;

const TOOLS = ['wrk', 'autocannon', 'stampede', 'stampede-script'] as const;
type Tool = (typeof TOOLS)[number];

interface Options {
  duration: number;
  runs: number;
  connections: number;
  /** undefined: on if nginx can be installed. */
  nginx: boolean | undefined;
  only: Tool[];
}

interface RunResult {
  run: number;
  rate: number | null;
  error?: string;
  /** CPU the target used during the run, in cores (1 = one core busy). */
  targetCpu: number | null;
  extra: Record<string, unknown>;
}

interface Target {
  name: string;
  url: string;
  /** PIDs whose CPU time counts as the target's (nginx: master and worker). */
  pids: () => number[];
  stop: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Arguments

function usage(): string {
  return [
    'Usage: npm run bench -- [flags]',
    '  --duration S        seconds per run (default 10)',
    '  --runs N            runs per tool and target, interleaved (default 3)',
    '  --connections N     connections / VUs (default 50)',
    '  --nginx | --no-nginx   also bench against nginx (default: on if it can be installed)',
    `  --only=LIST         subset of ${TOOLS.join(',')}`,
  ].join('\n');
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    duration: 10,
    runs: 3,
    connections: 50,
    nginx: undefined,
    only: [...TOOLS],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value\n${usage()}`);
      return v;
    };
    const positive = (v: string): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: not a positive number: ${v}`);
      return n;
    };
    switch (name) {
      case '--duration':
        opts.duration = Math.round(positive(value()));
        break;
      case '--runs':
        opts.runs = Math.round(positive(value()));
        break;
      case '--connections':
        opts.connections = Math.round(positive(value()));
        break;
      case '--nginx':
        opts.nginx = true;
        break;
      case '--no-nginx':
        opts.nginx = false;
        break;
      case '--only': {
        const list = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const t of list) {
          if (!(TOOLS as readonly string[]).includes(t))
            throw new Error(`--only: unknown tool ${t}`);
        }
        opts.only = list as Tool[];
        break;
      }
      case '--help':
      case '-h':
        console.log(usage());
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${arg}\n${usage()}`);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Children: every process we start is tracked and killed by its PID.

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

function killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of children) killChild(child, signal);
}

async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killChild(child, 'SIGTERM');
  const timer = setTimeout(() => killChild(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const tempDirs: string[] = [];
let interrupted = false;

function cleanupSync(): void {
  killAll('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.length = 0;
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping children`);
    killAll('SIGTERM');
    setTimeout(() => {
      cleanupSync();
      process.exit(130);
    }, 500).unref();
  });
}

interface Captured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, capturing its output; `onStart` receives the PID. */
function run(
  cmd: string,
  args: string[],
  onStart?: (pid: number) => void,
  timeoutMs = 0,
): Promise<Captured> {
  return new Promise((resolvePromise, reject) => {
    const child = track(spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            stderr += `\n[bench] killed after ${timeoutMs} ms`;
            killChild(child, 'SIGKILL');
          }, timeoutMs)
        : undefined;
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('spawn', () => {
      if (child.pid !== undefined) onStart?.(child.pid);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function sh(cmd: string, args: string[], label: string): boolean {
  console.log(`[bench] ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0;
}

// ---------------------------------------------------------------------------------------------
// Peers

function aptInstall(pkg: string, binary: string): boolean {
  if (has(binary)) return true;
  if (!has('apt-get')) return false;
  const env = ['-y', '-q', 'install', pkg];
  if (sh('apt-get', env, `installing ${pkg}`) && has(binary)) return true;
  return (
    sh('apt-get', ['-q', 'update'], 'apt-get update') &&
    sh('apt-get', env, `installing ${pkg}`) &&
    has(binary)
  );
}

function ensureAutocannon(): boolean {
  if (existsSync(AUTOCANNON_JS)) return true;
  mkdirSync(PEERS_DIR, { recursive: true });
  sh(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, 'autocannon'],
    'installing autocannon into bench/.peers',
  );
  return existsSync(AUTOCANNON_JS);
}

// ---------------------------------------------------------------------------------------------
// Targets

/** Cores to pin to: load tool on CPU 0, target on CPU 1 (no pinning if impossible). */
let pinning = false;

function pinned(cpu: number, cmd: string, args: string[]): [string, string[]] {
  return pinning ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

async function startEcho(): Promise<Target> {
  const [cmd, args] = pinned(1, NODE, [ECHO_TS, '--port', '0']);
  const child = track(spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('echo target did not print its URL')), 10_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`echo target exited with ${code}`)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveUrl(out.slice(0, nl).trim());
      }
    });
  });
  return {
    name: 'node-echo',
    url: `${url}/`,
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    stop: () => stopChild(child),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return true;
    await sleep(100);
  }
  return false;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function startNginx(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-bench-nginx-'));
  tempDirs.push(dir);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const body = BODY.replace(/'/g, "\\'");
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 65s;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 '${body}';
    }
  }
}
`,
  );
  const [cmd, args] = pinned(1, 'nginx', [
    '-p',
    dir,
    '-e',
    join(dir, 'error.log'),
    '-c',
    conf,
    '-g',
    'daemon off;',
  ]);
  const child = track(spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] }));
  const failed = new Promise<boolean>((r) => child.once('exit', () => r(false)));
  const up = await Promise.race([waitForPort(port, 10_000), failed]);
  if (!up) {
    await stopChild(child);
    throw new Error(`nginx did not start (see ${dir}/error.log)`);
  }
  return {
    name: 'nginx',
    url: `http://127.0.0.1:${port}/`,
    pids: () => (child.pid === undefined ? [] : [child.pid, ...childPids(child.pid)]),
    stop: () => stopChild(child),
  };
}

/** CPU ticks (user + system) of a process, or 0 when it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0; utime is field 14 -> index 11, stime index 12.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function targetTicks(t: Target): number {
  return t.pids().reduce((sum, pid) => sum + cpuTicks(pid), 0);
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
  const out = await run(cmd, args, () => (loadStarted = process.hrtime.bigint()), (d + 60) * 1000);
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
// Report

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const fmt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US');
const fmtRatio = (n: number | null): string => (n === null ? '-' : n.toFixed(2));

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r, ri) => {
      const line = r.map((cell, i) =>
        i === 0 || i === 1 || i === r.length - 1
          ? cell.padEnd(widths[i] ?? 0)
          : cell.padStart(widths[i] ?? 0),
      );
      const text = line.join('  ').trimEnd();
      return ri === 0 ? `${text}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : text;
    })
    .join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function machine(): Record<string, unknown> {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    commit: commit.status === 0 ? commit.stdout.trim() : null,
    pinning,
  };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(OUT_DIR, { recursive: true });

  pinning = has('taskset') && cpus().length >= 2;
  if (!pinning) {
    console.warn('[bench] WARNING: taskset missing or fewer than 2 CPUs: running unpinned');
  }

  const tools: Tool[] = [];
  for (const tool of opts.only) {
    const ok =
      tool === 'wrk' ? aptInstall('wrk', 'wrk') : tool === 'autocannon' ? ensureAutocannon() : true;
    if (ok) tools.push(tool);
    else console.warn(`[bench] WARNING: ${tool} is not available, skipping it`);
  }
  const wantNginx = opts.nginx !== false;
  const nginx = wantNginx && aptInstall('nginx', 'nginx');
  if (wantNginx && !nginx) console.warn('[bench] WARNING: nginx is not available, skipping it');

  const targets: (() => Promise<Target>)[] = [startEcho];
  if (nginx) targets.push(startNginx);

  console.log(
    `[bench] tools: ${tools.join(', ')}; ${opts.runs} run(s) x ${opts.duration}s, ` +
      `${opts.connections} connections; tool on CPU 0, target on CPU 1${pinning ? '' : ' (NOT pinned)'}`,
  );

  const results: Record<string, Record<string, RunResult[]>> = {};
  for (const start of targets) {
    if (interrupted) break;
    let target: Target;
    try {
      target = await start();
    } catch (e) {
      console.warn(`[bench] WARNING: ${(e as Error).message}; skipping this target`);
      continue;
    }
    const perTool: Record<string, RunResult[]> = {};
    results[target.name] = perTool;
    console.log(`[bench] target ${target.name} at ${target.url}`);
    try {
      // Warm-up: two seconds of plain Node requests so the target's JIT is not charged to the first tool.
      await runWarmup(target);
      for (let r = 1; r <= opts.runs && !interrupted; r++) {
        for (const tool of tools) {
          if (interrupted) break;
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

  // Medians and ratios.
  const summary: Record<string, unknown> = {};
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
        ratioRows.push([targetName, `${s}/${p}`, fmtRatio(v)]);
      }
    }
    summary[targetName] = { medians, ratios };
  }

  console.log('\n' + table(rows));
  if (ratioRows.length > 1) console.log('\n' + table(ratioRows));

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(OUT_DIR, `peers-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        command: `node bench/peers.ts ${process.argv.slice(2).join(' ')}`.trim(),
        machine: machine(),
        options: opts,
        tools,
        summary,
        runs: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\n[bench] results written to ${file}`);
}

/** Two seconds of keep-alive requests from this process, to warm the target up. */
async function runWarmup(target: Target): Promise<void> {
  const { request, Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const end = Date.now() + 2000;
  const one = (): Promise<void> =>
    new Promise((r) => {
      const req = request(target.url, { agent }, (res) => {
        res.resume();
        res.once('end', () => r());
      });
      req.once('error', () => r());
      req.end();
    });
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < end && !interrupted) await one();
    }),
  );
  agent.destroy();
}

try {
  await main();
} catch (e) {
  console.error(`[bench] ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  cleanupSync();
}
