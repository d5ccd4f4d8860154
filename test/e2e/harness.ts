// Shared helpers of the process-level tests: spawn the real CLI, collect its output with a hard
// timeout, read its summary/NDJSON files and run small recording HTTP targets on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  intervalSnapshotSchema,
  summarySchema,
  type IntervalSnapshot,
  type Summary,
} from '@stampede/protocol';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO, 'packages/cli/bin/stampede.js');

/** The outcome of one CLI process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  elapsedMs: number;
  /** True when the harness had to kill the process at its hard timeout. */
  timedOut: boolean;
}

export interface CliOptions {
  cwd?: string;
  /** Hard limit; the process is SIGKILLed after it (default 30 s). */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** The Node that runs the launcher (default: the one running the tests, the pinned Node 24). */
  node?: string;
}

/** A running CLI process and the promise of its result. */
export interface CliProcess {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
}

/** Spawns `stampede <args>` on the Node running the tests (the pinned Node 24). */
export function spawnCli(args: string[], options: CliOptions = {}): CliProcess {
  const started = performance.now();
  const child = spawn(options.node ?? process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolvePromise) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        elapsedMs: performance.now() - started,
        timedOut,
      });
    });
  });
  return { child, result, stdout: () => stdout, stderr: () => stderr };
}

/** Runs `stampede <args>` to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).result;
}

/** A one-line description of a result, for assertion messages. */
export function describeResult(r: CliResult): string {
  return `exit=${r.code} signal=${r.signal} timedOut=${r.timedOut}\n--- stdout ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
}

/** Reads and validates a summary JSON file against the published schema. */
export function readSummary(path: string): Summary {
  return summarySchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Reads an NDJSON snapshot file; every non-blank line must be a valid interval snapshot. */
export function readNdjson(path: string): IntervalSnapshot[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => intervalSnapshotSchema.parse(JSON.parse(l)));
}

/** Sums a counter metric over every series of every snapshot. */
export function sumCounter(snapshots: IntervalSnapshot[], metric: string): number {
  let total = 0;
  for (const s of snapshots)
    for (const series of s.series)
      if (series.type === 'counter' && series.metric === metric) total += series.value;
  return total;
}

/** Counter value of a summary metric (0 when absent). */
export function counterOf(summary: Summary, metric: string): number {
  const m = summary.metrics[metric];
  if (m === undefined) return 0;
  if (m.type !== 'counter') throw new Error(`${metric} is a ${m.type}, not a counter`);
  return m.values.count;
}

/** Trend values of a summary metric; throws when absent. */
export function trendOf(summary: Summary, metric: string) {
  const m = summary.metrics[metric];
  if (m === undefined) throw new Error(`no metric ${metric} in the summary`);
  if (m.type !== 'trend') throw new Error(`${metric} is a ${m.type}, not a trend`);
  return m.values;
}

/** Rate values of a summary metric; throws when absent. */
export function rateOf(summary: Summary, metric: string) {
  const m = summary.metrics[metric];
  if (m === undefined) throw new Error(`no metric ${metric} in the summary`);
  if (m.type !== 'rate') throw new Error(`${metric} is a ${m.type}, not a rate`);
  return m.values;
}

/** A fresh temporary directory with the given files (paths relative to it, folders created). */
export function tempDir(files: Record<string, string> = {}): {
  dir: string;
  path: (p: string) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-e2e-'));
  for (const [name, text] of Object.entries(files)) {
    const full = join(dir, name);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return {
    dir,
    path: (p) => join(dir, p),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One request as a recording target saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  atMs: number;
}

/** A recording HTTP target: counts and keeps every request. */
export interface RecordingTarget {
  url: string;
  server: Server;
  seen: SeenRequest[];
  count(pathPrefix?: string): number;
  close(): Promise<void>;
}

/**
 * Starts a recording target on 127.0.0.1:0. `handler` may answer itself (return true); otherwise
 * the target answers 200 with a small JSON body.
 */
export async function startRecordingTarget(
  handler?: (req: SeenRequest, res: ServerResponse) => boolean,
): Promise<RecordingTarget> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: performance.now(),
      };
      seen.push(r);
      if (handler?.(r, res)) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    seen,
    count: (prefix) =>
      prefix === undefined ? seen.length : seen.filter((s) => s.path.startsWith(prefix)).length,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A TCP target on 127.0.0.1:0 that accepts connections and never answers. */
export async function startHangingTarget(): Promise<{
  url: string;
  sockets: Set<Socket>;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
