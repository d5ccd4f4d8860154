// Benchmark (not a test): the closed loop against nginx (or a raw Node responder) versus wrk, same
// run, same target. Target pinned to CPU 1, load to CPU 0. Usage: node bench-fastpath.ts [seconds]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricRegistry } from '../metrics/registry.ts';
import { runClosedLoop } from './closed-loop.ts';

const seconds = Number(process.argv[2] ?? 10);
const children: ChildProcess[] = [];
const has = (cmd: string): boolean => spawnSync('which', [cmd]).status === 0;
const pin = has('taskset');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function start(cpu: number, cmd: string, args: string[]): ChildProcess {
  const [c, a] = pin ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const child = spawn(c, a, { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  return child;
}

const RAW_RESPONDER = `
const net = require('node:net');
const res = Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok');
net.createServer((s) => { s.on('error', () => {}); s.on('data', (d) => {
  let n = 0; for (let i = 3; i < d.length; i++) if (d[i] === 10 && d[i-1] === 13 && d[i-2] === 10 && d[i-3] === 13) n++;
  for (let k = 0; k < n; k++) s.write(res);
}); }).listen(Number(process.argv[1]), '127.0.0.1');`;

async function startTarget(dir: string): Promise<{ name: string; port: number }> {
  const port = await freePort();
  if (has('nginx')) {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
        `events { worker_connections 4096; }\nhttp {\n  access_log off;\n` +
        `  client_body_temp_path ${dir}/cb;\n  proxy_temp_path ${dir}/px;\n  fastcgi_temp_path ${dir}/fc;\n` +
        `  uwsgi_temp_path ${dir}/uw;\n  scgi_temp_path ${dir}/sc;\n  keepalive_requests 10000000;\n` +
        `  server {\n    listen 127.0.0.1:${port};\n    location / { return 200 "ok"; }\n  }\n}\n`,
    );
    start(1, 'nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;']);
    await new Promise((r) => setTimeout(r, 500));
    return { name: 'nginx', port };
  }
  start(1, process.execPath, ['-e', RAW_RESPONDER, String(port)]);
  await new Promise((r) => setTimeout(r, 500));
  return { name: 'node raw responder', port };
}

async function fastpath(port: number, pipelining: number): Promise<number> {
  const registry = new MetricRegistry();
  const started = performance.now();
  const counts = await runClosedLoop({
    templates: [{ method: 'GET', url: `http://127.0.0.1:${port}/` }],
    connections: 50,
    pipelining,
    durationMs: seconds * 1000,
    timeoutMs: 10_000,
    registry,
    tags: { scenario: 'bench' },
  });
  const rps = counts.requests / ((performance.now() - started) / 1000);
  console.log(
    `fastpath pipelining=${pipelining}: ${Math.round(rps)} req/s ` +
      `(${counts.requests} requests, ${counts.errors} errors, ${counts.httpErrors} non-2xx)`,
  );
  return rps;
}

function wrk(port: number): void {
  if (!has('wrk')) {
    console.log('wrk: not installed');
    return;
  }
  const args = ['-t1', '-c50', `-d${seconds}s`, `http://127.0.0.1:${port}/`];
  const out = pin
    ? execFileSync('taskset', ['-c', '0', 'wrk', ...args], { encoding: 'utf8' })
    : execFileSync('wrk', args, { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  console.log(`wrk -t1 -c50: ${rps === undefined ? out : Math.round(Number(rps))} req/s`);
}

const dir = mkdtempSync(join(tmpdir(), 'stampede-fastpath-bench-'));
try {
  // Pin every thread of this process to CPU 0.
  if (pin) execFileSync('taskset', ['-apc', '0', String(process.pid)], { stdio: 'ignore' });
  const target = await startTarget(dir);
  console.log(`target: ${target.name} on CPU 1, load on CPU 0, ${seconds} s per run`);
  await fastpath(target.port, 1);
  wrk(target.port);
  await fastpath(target.port, 10);
} finally {
  for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid);
  await new Promise((r) => setTimeout(r, 200));
  rmSync(dir, { recursive: true, force: true });
}
