// Break glass for the REST API: terminate any generator now, whatever it is doing. Its run is
// aborted, its process killed if it is local, and the termination tracked until confirmed.
import type { Generator, Store } from '@stampede/store';
import type { PoolControl } from '../services.ts';
import type { Terminations } from './terminations.ts';

/** What terminating a generator needs besides the tracker. */
export interface PoolControlDeps {
  store: Store;
  terminations: Terminations;
  /** Ends the generator's run, if it has one. */
  generatorGone(generator: Generator, runId: string | null, reason: string): Promise<void>;
}

/** The PoolControl the REST API calls. */
export class Pools implements PoolControl {
  readonly #d: PoolControlDeps;

  constructor(deps: PoolControlDeps) {
    this.#d = deps;
  }

  async terminateGenerator(generatorId: string, reason: string, actor: string): Promise<void> {
    const { store, terminations } = this.#d;
    // The REST route audits the termination; the run's abort reason names who did it.
    const before = await store.getGenerator(generatorId);
    const why = `generator ${before.name} (${before.id}) terminated by ${actor}: ${reason}`;
    const g = await terminations.request(generatorId, why, { kill: true });
    if (g !== null) await this.#d.generatorGone(before, before.runId, why);
  }
}
