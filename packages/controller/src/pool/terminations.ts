// Retiring generators and tracking each termination until it is confirmed: the agent is told
// `terminate`, its status becomes `terminating`, and it counts as terminated (status set,
// certificate revoked, forgotten) once its process exited or it has been silent for a lease.
// An agent that ignores the command loses its certificate after a lease, so its own deadman
// stops the load.
import type { Generator, GeneratorStatus, Store } from '@stampede/store';
import { isStoreError } from '@stampede/store';
import type { AgentHub } from '../agents/agent-hub.ts';
import type { ControllerLog } from '../scheduler/log.ts';
import type { ControllerClock } from '../services.ts';
import type { PoolRegistry } from './pool.ts';

/** Settings of the termination tracker. */
export interface TerminationOptions {
  store: Store;
  clock: ControllerClock;
  hub: AgentHub;
  pools: PoolRegistry;
  log: ControllerLog;
  /** The agent lease, ms: after it, a silent agent has stopped its load on its own. */
  leaseMs: number;
  /** Slack on top of the lease, ms. */
  graceMs: number;
}

/** Every status a generator can be terminated from. */
export const LIVE_STATUSES: readonly GeneratorStatus[] = [
  'idle',
  'assigned',
  'suspect',
  'lost',
  'terminating',
];

interface Pending {
  requestedAtMs: number;
  reason: string;
  revoked: boolean;
}

/** Pending terminations, persisted as the `terminating` status and confirmed by `sweep`. */
export class Terminations {
  readonly #o: TerminationOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: TerminationOptions) {
    this.#o = options;
  }

  /** Tells the generator to terminate and starts tracking it; `kill` also kills its process now. */
  async request(
    generatorId: string,
    reason: string,
    options: { kill?: boolean } = {},
  ): Promise<Generator | null> {
    const { store, hub, pools, clock } = this.#o;
    let g = await store.getGenerator(generatorId);
    if (g.retiredAtMs !== null || g.status === 'terminated') return null;
    hub.setDesired(g.id, { kind: 'terminate', reason });
    if (g.status !== 'terminating') {
      try {
        g = await store.setGeneratorStatus(g.id, [g.status], 'terminating');
      } catch (err) {
        if (!isStoreError(err, 'INVALID_STATE')) throw err;
        g = await store.getGenerator(g.id);
      }
    }
    if (!this.#pending.has(g.id)) {
      this.#pending.set(g.id, { requestedAtMs: clock.nowMs(), reason, revoked: false });
    }
    if (options.kill) pools.get(g.pool).kill(g);
    this.#o.log.info(`generator ${g.name} (${g.id}): terminating: ${reason}`);
    return g;
  }

  /** Confirms terminations whose agent is gone; revokes the certificate of agents that linger. */
  async sweep(): Promise<void> {
    const { store, clock, pools, leaseMs, graceMs } = this.#o;
    const now = clock.nowMs();
    for (const g of await store.listGenerators({ status: ['terminating'] })) {
      let p = this.#pending.get(g.id);
      if (!p) {
        // Found after a restart: the clock of its termination starts now.
        p = {
          requestedAtMs: now,
          reason: 'terminating before the controller restarted',
          revoked: false,
        };
        this.#pending.set(g.id, p);
      }
      const silentMs = now - Math.max(g.lastHeartbeatMs ?? 0, p.requestedAtMs);
      const gone = pools.get(g.pool).isGone(g) === true || silentMs > leaseMs + graceMs;
      if (gone) {
        await this.#confirm(g);
      } else if (!p.revoked && now - p.requestedAtMs > leaseMs + graceMs) {
        if (g.certSerial !== null) await store.revokeCertificate(g.certSerial);
        p.revoked = true;
        this.#o.log.warn(`generator ${g.name} (${g.id}) ignored terminate; certificate revoked`);
      }
    }
  }

  /** Marks a generator terminated now (its process is known to be gone). */
  async #confirm(g: Generator): Promise<void> {
    const { store, hub } = this.#o;
    if (g.certSerial !== null) await store.revokeCertificate(g.certSerial);
    try {
      await store.setGeneratorStatus(g.id, LIVE_STATUSES, 'terminated');
    } catch (err) {
      if (!isStoreError(err, 'INVALID_STATE')) throw err;
    }
    this.#pending.delete(g.id);
    hub.forget(g.id);
    this.#o.log.info(`generator ${g.name} (${g.id}): terminated`);
  }

  /** Marks a generator terminated at once, whatever its status (its process exited, it is an orphan). */
  async retireNow(g: Generator, reason: string): Promise<void> {
    if (g.retiredAtMs !== null || g.status === 'terminated') return;
    this.#o.log.info(`generator ${g.name} (${g.id}): ${reason}`);
    await this.#confirm(g);
  }

  /** Whether a termination of the generator is being tracked. */
  isPending(generatorId: string): boolean {
    return this.#pending.has(generatorId);
  }
}
