// Generator liveness from heartbeats (every 2 s): silent for `suspectAfterMs` → suspect (gets no
// new work, comes back with its next heartbeat); silent past the lease plus a grace → lost (its
// own deadman has stopped the load by then), and its run is aborted. A lost generator never
// gets work again: if it comes back it is told to terminate (a local one is replaced, a static
// one enrolls again with a new join token). See docs/controller.md, "Liveness".
import type { Heartbeat } from '@stampede/protocol';
import { isStoreError, type Generator, type GeneratorStatus, type Store } from '@stampede/store';
import type { ControllerLog } from '../scheduler/log.ts';
import type { ControllerClock } from '../services.ts';
import type { Terminations } from './terminations.ts';

/** Default silence before a generator is suspect, ms (three missed heartbeats). */
export const DEFAULT_SUSPECT_AFTER_MS = 6_000;
/** Default slack after the lease before a generator is lost, ms. */
export const DEFAULT_LOST_GRACE_MS = 2_000;

/** Settings and collaborators of the liveness monitor. */
export interface LivenessOptions {
  store: Store;
  clock: ControllerClock;
  terminations: Terminations;
  log: ControllerLog;
  leaseMs: number;
  suspectAfterMs?: number;
  graceMs?: number;
  /** Called once when a generator is declared lost, with its run (if any) and the reason. */
  onLost(generator: Generator, runId: string | null, reason: string): Promise<void>;
}

const WATCHED: readonly GeneratorStatus[] = ['idle', 'assigned', 'suspect'];

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Marks silent generators suspect, then lost; handles heartbeats of suspect and lost ones. */
export class Liveness {
  readonly #o: LivenessOptions;
  readonly #suspectAfterMs: number;
  readonly #lostAfterMs: number;
  /**
   * When this monitor (this controller process) started listening. Silence is counted from here
   * at the earliest: heartbeats sent while no controller ran cannot have been heard, so after a
   * restart every agent gets a full lease plus grace to come back before it is declared lost.
   */
  readonly #sinceMs: number;

  constructor(options: LivenessOptions) {
    this.#o = options;
    this.#sinceMs = options.clock.nowMs();
    this.#suspectAfterMs = options.suspectAfterMs ?? DEFAULT_SUSPECT_AFTER_MS;
    this.#lostAfterMs = options.leaseMs + (options.graceMs ?? DEFAULT_LOST_GRACE_MS);
  }

  /** Silence after which a generator is lost, ms. */
  get lostAfterMs(): number {
    return this.#lostAfterMs;
  }

  /** Reacts to a recorded heartbeat: a suspect comes back, a lost one is told to terminate. */
  async heartbeat(generator: Generator, _heartbeat: Heartbeat): Promise<void> {
    const { store } = this.#o;
    if (generator.status === 'suspect') {
      try {
        await store.setGeneratorStatus(
          generator.id,
          ['suspect'],
          generator.runId === null ? 'idle' : 'assigned',
        );
      } catch (err) {
        if (!isStoreError(err, 'INVALID_STATE')) throw err;
      }
    } else if (generator.status === 'lost') {
      await this.#o.terminations.request(
        generator.id,
        'this agent was declared lost; it gets no more work (enroll again with a new join token)',
      );
    }
  }

  /** One pass over the watched generators. */
  async sweep(): Promise<void> {
    const { store, clock, log } = this.#o;
    const now = clock.nowMs();
    for (const g of await store.listGenerators({ status: WATCHED })) {
      const lastMs = g.lastHeartbeatMs ?? g.createdAtMs;
      const silentMs = now - Math.max(lastMs, this.#sinceMs);
      if (silentMs > this.#lostAfterMs) {
        let lost: Generator;
        try {
          lost = await store.setGeneratorStatus(g.id, [g.status], 'lost');
        } catch (err) {
          if (isStoreError(err, 'INVALID_STATE')) continue; // it changed meanwhile
          throw err;
        }
        const heard =
          g.lastHeartbeatMs === null
            ? `no heartbeat since it enrolled at ${new Date(g.createdAtMs).toISOString()}`
            : `last heartbeat at ${new Date(lastMs).toISOString()}, ${seconds(now - lastMs)} ago`;
        const reason = `generator ${g.name} (${g.id}) lost: ${heard}`;
        log.warn(reason);
        await this.#o.onLost(lost, g.runId, reason);
      } else if (silentMs > this.#suspectAfterMs && g.status !== 'suspect') {
        try {
          await store.setGeneratorStatus(g.id, [g.status], 'suspect');
          log.warn(`generator ${g.name} (${g.id}) suspect: silent for ${seconds(now - lastMs)}`);
        } catch (err) {
          if (!isStoreError(err, 'INVALID_STATE')) throw err;
        }
      }
    }
  }
}
