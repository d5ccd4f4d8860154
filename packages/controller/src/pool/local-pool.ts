// The local pool: `stampede agent` child processes of the controller on this machine, each
// enrolled with a join token the pool minted for it. Kept warm at `size`, grown on demand up to
// `maxSize`, extra ones retired after an idle timeout, every one replaced after its maximum
// lifespan, dead ones replaced. Processes left by a previous controller process are orphans.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Generator, JoinToken, Store } from '@stampede/store';
import type { AgentHub } from '../agents/agent-hub.ts';
import { createJoinToken } from '../ca/index.ts';
import type { ControllerLog } from '../scheduler/log.ts';
import type { ControllerClock } from '../services.ts';
import { LOCAL_POOL, joinTokenName } from './join-placement.ts';
import type { GeneratorPool } from './pool.ts';
import type { Terminations } from './terminations.ts';
import { endPreviousAgents, removeAgentPidFile, writeAgentPidFile } from './pid-files.ts';

/** What a local agent process is started with. */
export interface LocalAgentLaunch {
  controllerUrl: string;
  joinToken: string;
  name: string;
  dataDir: string;
  caFile: string;
}

/**
 * Turns a launch into the process to start. The pool adds STAMPEDE_JOIN_TOKEN (the join token,
 * kept out of `ps`) and STAMPEDE_PARENT_PID (so the agent ends with its controller) to `env`.
 */
export type LocalAgentCommand = (launch: LocalAgentLaunch) => {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
};

const CLI_MAIN = fileURLToPath(new URL('../../../cli/src/main.ts', import.meta.url));

/**
 * `stampede agent …` run by this Node with the CLI entry file `cliMain`; the join token goes
 * through the environment (STAMPEDE_JOIN_TOKEN, set by the pool), never the visible argv.
 */
export function cliAgentCommand(cliMain: string): LocalAgentCommand {
  return (l) => ({
    command: process.execPath,
    args: [
      cliMain,
      'agent',
      '--controller',
      l.controllerUrl,
      '--name',
      l.name,
      '--data-dir',
      l.dataDir,
      '--ca-file',
      l.caFile,
    ],
  });
}

/** `stampede agent …` run by this Node with the CLI of this repository. */
export const defaultLocalAgentCommand: LocalAgentCommand = cliAgentCommand(CLI_MAIN);

/** Settings and collaborators of the local pool. */
export interface LocalPoolOptions {
  store: Store;
  clock: ControllerClock;
  hub: AgentHub;
  terminations: Terminations;
  log: ControllerLog;
  /** Processes kept running when idle. */
  size: number;
  /** Most processes at once (demand above `size` is met up to this). */
  maxSize: number;
  controllerUrl: string;
  caFile: string;
  /** Directory under which each agent gets its own data directory. */
  dataDir: string;
  command?: LocalAgentCommand;
  /** An extra (above `size`) idle process is retired after this, ms. */
  idleTimeoutMs?: number;
  /** A process is replaced once it is this old and idle, ms. */
  maxLifespanMs?: number;
  /** A process that has not enrolled after this is killed, ms. */
  enrollTimeoutMs?: number;
  /** How long shutdown waits for processes to exit after `terminate`, ms. */
  stopTimeoutMs?: number;
  /** A generator's process died on its own; its run (if any) must end. */
  onGone(generator: Generator, runId: string | null, reason: string): Promise<void>;
}

interface LocalProcess {
  name: string;
  child: ChildProcess;
  tokenHash: string;
  generatorId: string | null;
  startedAtMs: number;
  exited: boolean;
  exitedPromise: Promise<void>;
  idleSinceMs: number | null;
  retiring: boolean;
}

const JOIN_TOKEN_TTL_MS = 10 * 60_000;
// Demand from a provisioning run is remembered this long, so a tick between two retries of
// assignGenerators does not shrink the pool again.
const DEMAND_HOLD_MS = 60_000;

/** Child-process generators of this machine. */
export class LocalPool implements GeneratorPool {
  readonly name = LOCAL_POOL;
  readonly #o: LocalPoolOptions;
  readonly #procs = new Set<LocalProcess>();
  readonly #byToken = new Map<string, LocalProcess>();
  readonly #byGenerator = new Map<string, LocalProcess>();
  #demand = 0;
  #demandUntilMs = 0;
  #seq = 0;
  #orphansSwept = false;
  #stopped = false;
  readonly #handlers = new Set<Promise<void>>();

  constructor(options: LocalPoolOptions) {
    this.#o = options;
  }

  /** Whether this pool minted the join token with this hash. */
  isLocalToken(tokenHash: string): boolean {
    return this.#byToken.has(tokenHash);
  }

  /** Links an enrolled generator to the process its join token was minted for. */
  enrolled(generator: Generator, token: JoinToken): void {
    const p = this.#byToken.get(token.tokenHash);
    if (!p) return;
    p.generatorId = generator.id;
    this.#byGenerator.set(generator.id, p);
  }

  maxSize(): number | null {
    return this.#o.maxSize;
  }

  ensureCapacity(count: number): void {
    this.#demand = Math.max(this.#demandUntilMs > this.#o.clock.nowMs() ? this.#demand : 0, count);
    this.#demandUntilMs = this.#o.clock.nowMs() + DEMAND_HOLD_MS;
  }

  isGone(generator: Generator): boolean | undefined {
    const p = this.#byGenerator.get(generator.id);
    // A local generator with no process of ours belongs to a previous controller process.
    return p ? p.exited : generator.kind === 'local';
  }

  kill(generator: Generator): void {
    const p = this.#byGenerator.get(generator.id);
    if (p && !p.exited) {
      p.retiring = true;
      p.child.kill('SIGKILL');
    }
  }

  /** PID of the generator's process, if this pool runs it. */
  pidOf(generatorId: string): number | undefined {
    const p = this.#byGenerator.get(generatorId);
    return p && !p.exited ? p.child.pid : undefined;
  }

  /** PIDs of the running processes (for tests and diagnostics). */
  pids(): number[] {
    return [...this.#procs]
      .filter((p) => !p.exited && p.child.pid)
      .map((p) => p.child.pid as number);
  }

  async tick(): Promise<void> {
    if (this.#stopped) return;
    const { store, clock, terminations } = this.#o;
    const now = clock.nowMs();
    const gens = new Map(
      (await store.listGenerators({ pool: LOCAL_POOL })).map((g) => [g.id, g] as const),
    );
    if (!this.#orphansSwept) {
      this.#orphansSwept = true;
      // Before any agent of ours starts (and reuses a data directory): the agents a previous
      // incarnation left running normally exit on their own once their parent is gone; any that
      // did not are ended here.
      const ended = endPreviousAgents(this.#o.dataDir);
      if (ended.length > 0) {
        this.#o.log.warn(
          `ended ${ended.length} local agent process(es) of a previous controller process (pid ${ended.join(', ')})`,
        );
      }
      for (const g of gens.values()) {
        if (g.kind === 'local' && !this.#byGenerator.has(g.id)) {
          await terminations.retireNow(g, 'orphan of a previous controller process');
        }
      }
    }
    const live = (): LocalProcess[] => [...this.#procs].filter((p) => !p.exited && !p.retiring);
    const target = Math.min(
      this.#o.maxSize,
      Math.max(this.#o.size, this.#demandUntilMs > now ? this.#demand : 0),
    );
    for (const p of live()) {
      if (p.generatorId === null) {
        if (now - p.startedAtMs > (this.#o.enrollTimeoutMs ?? 60_000)) {
          this.#o.log.warn(`local agent ${p.name} did not enroll in time; killed`);
          p.retiring = true;
          p.child.kill('SIGKILL');
        }
        continue;
      }
      const g = gens.get(p.generatorId);
      if (!g) continue;
      if (g.status !== 'idle') {
        p.idleSinceMs = null;
        continue;
      }
      p.idleSinceMs ??= now;
      const idleMs = now - p.idleSinceMs;
      const ageMs = now - p.startedAtMs;
      let why: string | null = null;
      if (live().length > target && idleMs > (this.#o.idleTimeoutMs ?? 10 * 60_000)) {
        why = `idle for ${Math.round(idleMs / 1000)} s above the pool size`;
      } else if (ageMs > (this.#o.maxLifespanMs ?? 12 * 3600_000)) {
        why = `reached its maximum lifespan (${Math.round(ageMs / 1000)} s); replaced`;
      }
      if (why !== null) {
        p.retiring = true;
        await terminations.request(g.id, why);
      }
    }
    for (let n = live().length; n < target && !this.#stopped; n++) await this.#spawn();
  }

  async #spawn(): Promise<void> {
    const { store, clock, log } = this.#o;
    const name = `local-${++this.#seq}`;
    const token = createJoinToken(JOIN_TOKEN_TTL_MS, clock.nowMs());
    await store.createJoinToken({
      name: joinTokenName(LOCAL_POOL, name),
      tokenHash: token.hash,
      expiresAtMs: token.expiresAtMs,
    });
    const dataDir = join(this.#o.dataDir, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const launch = {
      controllerUrl: this.#o.controllerUrl,
      joinToken: token.token,
      name,
      dataDir,
      caFile: this.#o.caFile,
    };
    const cmd = (this.#o.command ?? defaultLocalAgentCommand)(launch);
    // Output goes to a file, not a pipe: a chatty agent must never block on a full pipe.
    const out = openSync(join(dataDir, 'agent.log'), 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(cmd.command, cmd.args, {
        stdio: ['ignore', out, out],
        env: {
          ...(cmd.env ?? process.env),
          STAMPEDE_JOIN_TOKEN: token.token,
          STAMPEDE_PARENT_PID: String(process.pid),
        },
      });
    } finally {
      closeSync(out);
    }
    // Recorded with its start time, so the next controller on this data directory can end it if
    // this one dies without doing so, and never kills a process that reused the PID.
    if (child.pid !== undefined) writeAgentPidFile(dataDir, child.pid);
    let resolveExit = (): void => {};
    const p: LocalProcess = {
      name,
      child,
      tokenHash: token.hash,
      generatorId: null,
      startedAtMs: clock.nowMs(),
      exited: false,
      exitedPromise: new Promise((r) => (resolveExit = r)),
      idleSinceMs: null,
      retiring: false,
    };
    this.#procs.add(p);
    this.#byToken.set(token.hash, p);
    const onExit = (how: string): void => {
      if (p.exited) return;
      p.exited = true;
      removeAgentPidFile(dataDir);
      resolveExit();
      const handled = this.#exited(p, how)
        .catch((err: unknown) => log.error(`local agent ${name}: ${String(err)}`))
        .finally(() => this.#handlers.delete(handled));
      this.#handlers.add(handled);
    };
    child.once('exit', (code, signal) => onExit(signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (err) => onExit(`spawn error: ${err.message}`));
    log.info(`local agent ${name} started (pid ${child.pid ?? '?'})`);
  }

  async #exited(p: LocalProcess, how: string): Promise<void> {
    this.#procs.delete(p);
    this.#byToken.delete(p.tokenHash);
    if (p.generatorId === null) {
      this.#o.log.warn(`local agent ${p.name} exited before enrolling (${how})`);
      return;
    }
    this.#byGenerator.delete(p.generatorId);
    const g = await this.#o.store.getGenerator(p.generatorId);
    if (g.retiredAtMs !== null) return;
    const expected = p.retiring || g.status === 'terminating' || this.#stopped;
    const reason = `local generator ${g.name} (${g.id}) exited (${how})`;
    await this.#o.terminations.retireNow(g, expected ? `${reason} as asked` : reason);
    if (!expected) await this.#o.onGone(g, g.runId, reason);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const procs = [...this.#procs].filter((p) => !p.exited);
    for (const p of procs) {
      p.retiring = true;
      if (p.generatorId !== null) {
        this.#o.hub.setDesired(p.generatorId, { kind: 'terminate', reason: 'controller stopping' });
      } else {
        p.child.kill('SIGTERM');
      }
    }
    const wait = (ms: number): Promise<void> =>
      Promise.race([
        Promise.all(procs.map((p) => p.exitedPromise)).then(() => undefined),
        new Promise<void>((r) => setTimeout(r, ms).unref()),
      ]);
    await wait(this.#o.stopTimeoutMs ?? 5_000);
    for (const p of procs) if (!p.exited) p.child.kill('SIGTERM');
    await wait(2_000);
    for (const p of procs) if (!p.exited) p.child.kill('SIGKILL');
    await wait(2_000);
    // Exit handlers retire the generators; they must finish before the store closes.
    await Promise.allSettled([...this.#handlers]);
  }
}
