import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { storeContract } from './contract/store-contract.ts';
import { SqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'stampede-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract(
  'SqliteStore (:memory:)',
  async () => ({
    reopenable: false,
    open: (o) => SqliteStore.open(':memory:', o),
    destroy: async () => undefined,
  }),
  { reopenable: false },
);

storeContract(
  'SqliteStore (file)',
  async () => {
    const file = join(dir, `t${n++}.db`);
    return {
      reopenable: true,
      open: (o) => SqliteStore.open(file, o),
      destroy: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  },
  { reopenable: true },
);
