// Child process of bench/controller-memory.ts: a controller (SQLite, no local generators) that
// reports its own memory after GC when asked over IPC, so the client's allocations stay out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from '../../packages/controller/src/server.ts';
import { silentLog } from '../../packages/controller/src/scheduler/log.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || process.send === undefined) throw new Error('fork me with --expose-gc');
const dir = mkdtempSync(join(tmpdir(), 'stampede-mem-'));
const ctl = await startController({
  port: 0,
  dataDir: dir,
  localGenerators: 0,
  adminToken: process.env['MEM_ADMIN'] ?? '',
  log: silentLog,
  maxArchiveBytes: 256 * 1024,
});
process.send({ kind: 'ready', url: ctl.url, caPem: ctl.caPem });
process.on('message', (msg: { kind: string }) => {
  void (async () => {
    if (msg.kind === 'measure') {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 100));
      }
      const m = process.memoryUsage();
      process.send?.({
        kind: 'memory',
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
      });
    } else if (msg.kind === 'stop') {
      await ctl.stop();
      rmSync(dir, { recursive: true, force: true });
      process.disconnect();
    }
  })();
});
