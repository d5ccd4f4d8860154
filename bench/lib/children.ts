// Child processes of a benchmark: every process started here is tracked and killed by its PID
// when the benchmark ends, fails or gets Ctrl-C, never by name.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench/ folder. */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root. */
export const ROOT = resolve(BENCH_DIR, '..');
/** This Node (the pinned Node 24 under `npm run bench`); every Node child is started with it. */
export const NODE = process.execPath;
/** The `stampede` CLI entry. */
export const STAMPEDE_JS = resolve(ROOT, 'packages', 'cli', 'bin', 'stampede.js');

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
let interruptedFlag = false;

/** True once the benchmark got SIGINT/SIGTERM/SIGHUP: loops should stop starting new runs. */
export function interrupted(): boolean {
  return interruptedFlag;
}

/** Tracks `child` so it is killed by its PID when the benchmark ends. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts a tracked child process. */
export function start(cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return track(spawn(cmd, args, { cwd: ROOT, ...options }));
}

/** Sends `signal` to `child` by its PID unless it already exited. */
export function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child exited. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killChild(child, 'SIGTERM');
  const timer = setTimeout(() => killChild(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Registers a temporary folder that is removed when the benchmark ends. */
export function removeAtExit(dir: string): void {
  tempDirs.push(dir);
}

function cleanupSync(): void {
  for (const child of children) killChild(child, 'SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.length = 0;
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (interruptedFlag) return;
    interruptedFlag = true;
    console.error(`\n${sig}: stopping children`);
    for (const child of children) killChild(child, 'SIGTERM');
    setTimeout(() => {
      cleanupSync();
      process.exit(130);
    }, 500).unref();
  });
}

/** What a finished child printed and how it ended. */
export interface Captured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of `capture`. */
export interface CaptureOptions {
  /** Receives the PID once the child started. */
  onStart?: (pid: number) => void;
  /** Kill the child (SIGKILL) after this many ms; 0 = never. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end, capturing its output. */
export function capture(
  cmd: string,
  args: string[],
  options: CaptureOptions = {},
): Promise<Captured> {
  return new Promise((resolvePromise, reject) => {
    const child = start(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timeoutMs = options.timeoutMs ?? 0;
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
      if (child.pid !== undefined) options.onStart?.(child.pid);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** True when `cmd` is on the PATH. */
export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command with inherited output, logging it first; true when it exited with 0. */
export function sh(cmd: string, args: string[], label: string): boolean {
  console.log(`[bench] ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
