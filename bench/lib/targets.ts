// Targets of the benchmarks on 127.0.0.1: the Node echo target and nginx, pinned to CPU 1 while
// load tools run on CPU 0 (taskset), so a tool and its target never compete for a core.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, NODE, removeAtExit, ROOT, sleep, start, stopChild } from './children.ts';
import { childPids, cpuTicks } from './proc.ts';

const ECHO_TS = join(ROOT, 'examples', 'targets', 'echo-server.ts');
/** Same body as the echo target, so both targets answer the same bytes. */
export const BODY = '{"ok":true,"service":"stampede-echo"}';

/** A running target. */
export interface Target {
  name: string;
  /** Base URL ending in "/". */
  url: string;
  /** PIDs whose CPU time counts as the target's (nginx: master and worker). */
  pids: () => number[];
  stop: () => Promise<void>;
}

let pinningOn: boolean | undefined;

/** Whether load tools and targets are pinned (taskset present and at least 2 CPUs). */
export function pinning(): boolean {
  pinningOn ??= has('taskset') && cpus().length >= 2;
  return pinningOn;
}

/** The command and arguments that run `cmd` on CPU `cpu` (unchanged without pinning). */
export function pinned(cpu: number, cmd: string, args: string[]): [string, string[]] {
  return pinning() ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

/**
 * The command and arguments that run `cmd` with the open-file limit raised to `files` (or to the
 * hard limit when that is lower), for benchmarks that hold many sockets.
 */
export function withFileLimit(files: number, cmd: string, args: string[]): [string, string[]] {
  const script = `ulimit -n ${files} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  return ['sh', ['-c', script, 'sh', cmd, ...args]];
}

/** Options of the echo target. */
export interface EchoOptions {
  /** Delay before every answer, ms. */
  delayMs?: number;
  /** Open-file limit for the target process (many connections). */
  files?: number;
}

/** Starts examples/targets/echo-server.ts as a child pinned to CPU 1. */
export async function startEcho(options: EchoOptions = {}): Promise<Target> {
  const echoArgs = [ECHO_TS, '--port', '0', '--delay-ms', String(options.delayMs ?? 0)];
  let [cmd, args] = pinned(1, NODE, echoArgs);
  if (options.files !== undefined) [cmd, args] = withFileLimit(options.files, cmd, args);
  const child = start(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await firstLine(child, 'echo target');
  return {
    name: 'node-echo',
    url: `${url}/`,
    pids: () => (child.pid === undefined ? [] : [child.pid, ...childPids(child.pid)]),
    stop: () => stopChild(child),
  };
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not print its URL`)), 10_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveUrl(out.slice(0, nl).trim());
      }
    });
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
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

/** Options of the nginx target. */
export interface NginxOptions {
  /** worker_connections and the worker's open-file limit (default 4096). */
  connections?: number;
}

/**
 * Starts nginx (one worker, no access log, unlimited keep-alive requests, `return 200` with BODY)
 * from a generated config in a temp folder, pinned to CPU 1.
 */
export async function startNginx(options: NginxOptions = {}): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-bench-nginx-'));
  removeAtExit(dir);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const connections = options.connections ?? 4096;
  const body = BODY.replace(/'/g, "\\'");
  writeFileSync(
    conf,
    `worker_processes 1;
worker_rlimit_nofile ${connections + 64};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${connections}; }
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
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      default_type application/json;
      return 200 '${body}';
    }
  }
}
`,
  );
  const nginxArgs = ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'];
  const [cmd, args] = pinned(1, 'nginx', nginxArgs);
  const child = start(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
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

/** CPU ticks used so far by every process of the target. */
export function targetTicks(t: Target): number {
  return t.pids().reduce((sum, pid) => sum + cpuTicks(pid), 0);
}

/** `ms` of keep-alive requests from this process, to warm the target up. */
export async function warmUp(target: Target, ms = 2000): Promise<void> {
  const { request, Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const end = Date.now() + ms;
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
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
}
