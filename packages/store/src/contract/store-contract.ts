import { describe } from 'node:test';
import { basicsContract } from './basics.ts';
import { comparisonsContract } from './comparisons.ts';
import { generatorsContract } from './generators.ts';
import { historyContract } from './history.ts';
import type { MakeDatabase } from './harness.ts';
import { policiesContract } from './policies.ts';
import { queueContract } from './queue.ts';
import { recordsContract } from './records.ts';
import { runsContract } from './runs.ts';

export { TestClock, type MakeDatabase, type TestDatabase, type OpenOptions } from './harness.ts';

/** Registers the contract every Store implementation must pass; `makeStore` gives each test a fresh database. */
export function storeContract(
  name: string,
  makeStore: MakeDatabase,
  options: { reopenable: boolean },
): void {
  describe(name, () => {
    basicsContract(makeStore, options.reopenable);
    runsContract(makeStore, options.reopenable);
    generatorsContract(makeStore, options.reopenable);
    recordsContract(makeStore);
    queueContract(makeStore, options.reopenable);
    comparisonsContract(makeStore);
    policiesContract(makeStore, options.reopenable);
    historyContract(makeStore);
  });
}
