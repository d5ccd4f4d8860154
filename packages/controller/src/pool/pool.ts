// Generator pools: where a run's generators come from. A pool may grow on demand (the local pool
// starts processes), keeps idle generators warm and retires them; static pools are just the
// agents that joined with a join token naming them.
import type { Generator } from '@stampede/store';

/** One pool of generators as the scheduler and the termination tracker see it. */
export interface GeneratorPool {
  readonly name: string;
  /** Most generators the pool can hold at once, or null when unknown (static agents join any time). */
  maxSize(): number | null;
  /** Asks for at least `count` idle generators soon; the local pool starts processes. */
  ensureCapacity(count: number): void;
  /** Maintenance: keep warm, retire idle or old generators, replace dead ones. */
  tick(): Promise<void>;
  /** True when the generator's process is known to have exited, undefined when the pool cannot tell. */
  isGone(generator: Generator): boolean | undefined;
  /** Kills the generator's process now, if this pool runs it (break glass). */
  kill(generator: Generator): void;
  /** Stops the pool's own generators (controller shutdown). */
  stop(): Promise<void>;
}

/** A pool of agents that joined on their own: nothing to start, stop or kill. */
export class StaticPool implements GeneratorPool {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  maxSize(): number | null {
    return null;
  }
  ensureCapacity(): void {}
  async tick(): Promise<void> {}
  isGone(): boolean | undefined {
    return undefined;
  }
  kill(): void {}
  async stop(): Promise<void> {}
}

/** The pools by name; a name no pool was registered for is a static pool. */
export class PoolRegistry {
  readonly #pools = new Map<string, GeneratorPool>();

  /** Registers a pool under its name (replacing any). */
  add(pool: GeneratorPool): void {
    this.#pools.set(pool.name, pool);
  }

  /** The pool called `name`, created as a static pool on first use. */
  get(name: string): GeneratorPool {
    let p = this.#pools.get(name);
    if (!p) {
      p = new StaticPool(name);
      this.#pools.set(name, p);
    }
    return p;
  }

  /** Every pool known so far. */
  all(): GeneratorPool[] {
    return [...this.#pools.values()];
  }
}
