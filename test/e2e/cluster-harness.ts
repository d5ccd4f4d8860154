// Helpers of the distributed process-level tests: a real controller (`stampede server`) and real
// static agents (`stampede agent`) as child processes in their own process groups, a counting HTTP
// target that records each request's arrival time and headers, and a small REST client (undici,
// trusting the controller's CA). Every process started here is killed (its whole group) by
// `Cluster.cleanup()` and, as a last resort, when the test process exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, waitFor } from './cluster-api.ts';
import { startCountingTarget, type CountingTarget, type Responder } from './cluster-target.ts';
import { CLI, REPO } from './harness.ts';

export * from './cluster-api.ts';
export * from './cluster-target.ts';

/** Process groups started by any Cluster of this test process, killed at exit at the latest. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** A random admin API token in the controller's format (`sta_` + 43 base64url characters). */
export function randomApiToken(): string {
  return `sta_${randomBytes(32).toString('base64url')}`;
}

/** A TCP port that was free a moment ago on `host` (for restarts that must keep the URL). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Resolves after `ms` without keeping the process alive (for races against an exit). */
function unrefDelay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** A child process of a test, with its output so far and its exit. */
export interface Proc {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  readonly done: boolean;
}

/** Spawns a process in its own process group (so its children can be killed with it). */
function spawnTracked(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO,
): Proc {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot spawn ${command}`);
  liveGroups.add(pid);
  let out = '';
  let err = '';
  let done = false;
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => {
      done = true;
      r({ code, signal });
    }),
  );
  return {
    child,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    get done() {
      return done;
    },
  };
}

/** A controller started with `stampede server`. */
export interface ServerProc extends Proc {
  url: string;
  port: number;
  dataDir: string;
  caFile: string;
  caPem: string;
  adminToken: string;
}

/** Options of `Cluster.startServer`. */
export interface ServerOptions {
  /** Data directory (default: a fresh one in the cluster's temp dir). */
  dataDir?: string;
  /** Port (default 0: any). */
  port?: number;
  host?: string;
  /** `--local-generators` (default 0: static agents only). */
  localGenerators?: number;
  /** `--lease` (default 4s). */
  lease?: string;
  /** More flags, e.g. ['--no-loopback', '--allow-target', 'h:p']. */
  args?: string[];
  /** Admin token (default: the cluster's). */
  adminToken?: string;
  /** Time allowed to print its URL, ms (default 30 s). */
  startTimeoutMs?: number;
}

/** A static agent started with `stampede agent`. */
export interface AgentProc extends Proc {
  name: string;
  dataDir: string;
  /** The generator id it printed on connecting ("" if it did not connect). */
  agentId: string;
}

/** Options of `Cluster.startAgent`. */
export interface AgentStartOptions {
  name: string;
  /** Join token (default: a fresh one named after the agent, so it joins pool `static`). */
  joinToken?: string;
  dataDir?: string;
  /** Load workers (default 1). */
  workers?: number;
  /** Controller URL (default the server's). */
  controllerUrl?: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Wait for "connected" (default true). */
  waitConnected?: boolean;
}

/** Whether `ip netns` works here (root and a kernel that allows it). */
export function netnsAvailable(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root (uid != 0)' };
  const name = `stp-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) {
    return { ok: false, why: `ip netns add failed: ${(add.stderr || add.error?.message) ?? ''}` };
  }
  spawnSync('ip', ['netns', 'del', name]);
  return { ok: true, why: '' };
}

/** Runs `ip <args>`; throws with its stderr on failure. */
export function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

/**
 * The processes, temp dir and targets of one test file. Call `cleanup()` in `after` (and `afterEach`
 * where a test may leave processes behind): every process group is killed, every target closed.
 */
export class Cluster {
  readonly tmp: string;
  readonly adminToken = randomApiToken();
  readonly procs: Proc[] = [];
  readonly targets: CountingTarget[] = [];
  readonly apis: Api[] = [];
  server: ServerProc | undefined;
  #agentSeq = 0;

  constructor() {
    this.tmp = mkdtempSync(join(tmpdir(), 'stampede-dist-'));
  }

  /** The current server's REST client (admin token). */
  get api(): Api {
    const s = this.server;
    if (!s) throw new Error('no server started');
    const existing = this.apis.find((a) => a.url === s.url && a.token === s.adminToken);
    if (existing) return existing;
    const api = new Api(s.url, s.caPem, s.adminToken);
    this.apis.push(api);
    return api;
  }

  /** A client of the current server with another token. */
  apiWith(token: string): Api {
    const s = this.server;
    if (!s) throw new Error('no server started');
    const api = new Api(s.url, s.caPem, token);
    this.apis.push(api);
    return api;
  }

  /** Starts `stampede server` and waits until it printed its URL (it is then healthy). */
  async startServer(o: ServerOptions = {}): Promise<ServerProc> {
    const dataDir = o.dataDir ?? join(this.tmp, 'controller');
    const adminToken = o.adminToken ?? this.adminToken;
    const args = [
      CLI,
      'server',
      '--port',
      String(o.port ?? 0),
      '--data-dir',
      dataDir,
      '--local-generators',
      String(o.localGenerators ?? 0),
      '--lease',
      o.lease ?? '4s',
      ...(o.host === undefined ? [] : ['--host', o.host]),
      ...(o.args ?? []),
    ];
    const p = spawnTracked(process.execPath, args, { STAMPEDE_ADMIN_TOKEN: adminToken });
    this.procs.push(p);
    const line = await Promise.race([
      waitFor(
        () => /listening on (https:\/\/\S+)\n[\s\S]*CA certificate: (\S+)\n/.exec(p.stdout()),
        o.startTimeoutMs ?? 30_000,
        () => `the controller to start\n${p.stdout()}\n${p.stderr()}`,
      ),
      p.exited.then(({ code }) => {
        throw new Error(`the controller exited (${code}) at start:\n${p.stdout()}\n${p.stderr()}`);
      }),
    ]);
    const url = line[1] as string;
    const caFile = line[2] as string;
    const server: ServerProc = Object.assign(p, {
      url,
      port: Number(new URL(url).port),
      dataDir,
      caFile,
      caPem: readFileSync(caFile, 'utf8'),
      adminToken,
    });
    this.server = server;
    return server;
  }

  /** Starts a static agent with a fresh join token (pool `static`) unless one is given. */
  async startAgent(o: AgentStartOptions): Promise<AgentProc> {
    const server = this.server;
    if (!server) throw new Error('no server started');
    const joinToken = o.joinToken ?? (await this.api.joinToken(o.name));
    const dataDir = o.dataDir ?? join(this.tmp, `agent-${o.name}-${++this.#agentSeq}`);
    const cli = [
      CLI,
      'agent',
      '--controller',
      o.controllerUrl ?? server.url,
      '--join-token',
      joinToken,
      '--name',
      o.name,
      '--data-dir',
      dataDir,
      '--ca-file',
      server.caFile,
      '--workers',
      String(o.workers ?? 1),
    ];
    const p =
      o.netns === undefined
        ? spawnTracked(process.execPath, cli)
        : spawnTracked('ip', ['netns', 'exec', o.netns, process.execPath, ...cli]);
    this.procs.push(p);
    const agent: AgentProc = Object.assign(p, { name: o.name, dataDir, agentId: '' });
    if (o.waitConnected === false) return agent;
    const m = await Promise.race([
      waitFor(
        () => /stampede agent (\S+) connected/.exec(p.stdout()),
        30_000,
        () => `agent ${o.name} to connect\n${p.stdout()}\n${p.stderr()}`,
      ),
      p.exited.then(({ code }) => {
        throw new Error(`agent ${o.name} exited (${code}):\n${p.stdout()}\n${p.stderr()}`);
      }),
    ]);
    agent.agentId = m[1] as string;
    return agent;
  }

  /** Waits until `n` generators of `pool` are idle. */
  async waitIdle(n: number, pool = 'static', ms = 20_000): Promise<void> {
    await waitFor(
      async () =>
        (await this.api.generators(`pool=${pool}`)).filter((g) => g.status === 'idle').length >= n,
      ms,
      `${n} idle generators in pool ${pool}`,
    );
  }

  /** A counting target, closed by cleanup. */
  async target(host = '127.0.0.1', respond?: Responder): Promise<CountingTarget> {
    const t = await startCountingTarget(host, 0, respond);
    this.targets.push(t);
    return t;
  }

  /** Runs the CLI against the current server (admin token unless `token` is given). */
  cliEnv(token?: string): Record<string, string> {
    const s = this.server;
    if (!s) throw new Error('no server started');
    return {
      STAMPEDE_SERVER: s.url,
      STAMPEDE_CA_FILE: s.caFile,
      STAMPEDE_TOKEN: token ?? s.adminToken,
    };
  }

  /** SIGKILLs every process group still running (controller, agents and the controller's children). */
  async killAll(): Promise<void> {
    for (const p of this.procs) {
      if (!liveGroups.has(p.pid)) continue;
      killGroup(p.pid, 'SIGKILL');
      liveGroups.delete(p.pid);
    }
    await Promise.all(this.procs.map((p) => Promise.race([p.exited, unrefDelay(5000)])));
  }

  /** Stops a process group gently (SIGTERM) and waits up to `ms`, then SIGKILLs it. */
  async stop(p: Proc, ms = 15_000): Promise<void> {
    if (!p.done) {
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([p.exited, unrefDelay(ms)]);
    }
    killGroup(p.pid, 'SIGKILL');
    liveGroups.delete(p.pid);
    await Promise.race([p.exited, unrefDelay(5000)]);
  }

  /** Kills everything, closes targets and clients, removes the temp dir. */
  async cleanup(): Promise<void> {
    await this.killAll();
    await Promise.all(this.targets.map((t) => t.close()));
    await Promise.all(this.apis.map((a) => a.close().catch(() => undefined)));
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
