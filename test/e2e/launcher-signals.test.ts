// The launcher (bin/stampede.js) started by an old Node re-executes itself on the pinned Node, as
// `npx stampede` does in CI: signals to the launcher reach the run, the launcher exits with the
// run's code, and a launcher killed outright (SIGKILL) takes the load down with it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  delay,
  describeResult,
  spawnCli,
  startHangingTarget,
  startRecordingTarget,
  tempDir,
  type RecordingTarget,
} from './harness.ts';

/** A Node older than 22 (the system Node 20 here), which makes the launcher re-exec. */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', 'node']) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (Number(version.slice(1).split('.')[0]) < 22) return candidate;
    } catch {
      // not installed
    }
  }
  return undefined;
}
const NODE = oldNode();

let target: RecordingTarget;
const tmp = tempDir();
before(async () => {
  target = await startRecordingTarget();
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

/** PIDs of the direct children of `pid` (the re-executed CLI under the launcher). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function script(path: string): string {
  const file = tmp.path(`${path}.ts`);
  writeFileSync(
    file,
    `import { http, sleep } from 'stampede';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '60s', gracefulStop: '30s' } } };
export default async function () { await http.get(__ENV.TARGET + '/${path}'); await sleep(0.02); }
`,
  );
  return file;
}

test(
  'SIGTERM to the launcher on an old Node stops the run: exit 105, no request 1 s later',
  {
    skip: NODE === undefined ? 'no Node older than 22 here to exercise the re-exec' : false,
  },
  async () => {
    const file = script('term');
    const p = spawnCli(['run', file, '--quiet', '--workers', '1'], {
      env: { TARGET: target.url },
      node: NODE as string,
      timeoutMs: 40_000,
    });
    const child = childrenOf(p.child.pid as number);
    try {
      await waitFor(() => target.count('/term') > 0, 20_000, 'the first request');
      assert.equal(childrenOf(p.child.pid as number).length, 1, 'the launcher re-executed itself');
      p.child.kill('SIGTERM');
      const r = await p.result;
      assert.equal(r.code, 105, describeResult(r));
      assert.match(r.stdout, /http_reqs/, 'summary printed');
      const atExit = target.count('/term');
      await delay(1000);
      assert.equal(
        target.count('/term'),
        atExit,
        'requests reached the target after the launcher exited',
      );
    } finally {
      for (const pid of [...child, ...childrenOf(p.child.pid as number)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  },
);

test(
  'SIGKILL of the launcher: the re-executed run stops its load',
  {
    skip: NODE === undefined ? 'no Node older than 22 here to exercise the re-exec' : false,
  },
  async () => {
    const file = script('kill');
    const p = spawnCli(['run', file, '--quiet', '--workers', '1'], {
      env: { TARGET: target.url },
      node: NODE as string,
      timeoutMs: 40_000,
    });
    let orphans: number[] = [];
    try {
      await waitFor(() => target.count('/kill') > 0, 20_000, 'the first request');
      orphans = childrenOf(p.child.pid as number);
      assert.equal(orphans.length, 1, 'the launcher re-executed itself');
      p.child.kill('SIGKILL');
      await p.result;
      // Bound the wait, not the speed: the load must stop within 15 s, then stay stopped.
      let last = target.count('/kill');
      let quietSince = performance.now();
      const end = performance.now() + 15_000;
      while (performance.now() - quietSince < 1000) {
        assert.ok(performance.now() < end, 'requests kept arriving 15 s after the launcher died');
        await delay(50);
        const now = target.count('/kill');
        if (now !== last) {
          last = now;
          quietSince = performance.now();
        }
      }
      // The orphaned CLI process exits too (it does not idle on).
      await waitFor(
        () =>
          orphans.every((pid) => {
            try {
              process.kill(pid, 0);
              return false;
            } catch {
              return true;
            }
          }),
        15_000,
        'the orphaned CLI to exit',
      );
    } finally {
      for (const pid of orphans) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  },
);

test(
  'a second SIGTERM to the launcher stops at once, even with iterations stuck on requests',
  { skip: NODE === undefined ? 'no Node older than 22 here to exercise the re-exec' : false },
  async () => {
    const hang = await startHangingTarget();
    const { sockets } = hang;
    const hangUrl = hang.url;
    const file = tmp.path('stuck.ts');
    writeFileSync(
      file,
      `import { http } from 'stampede';
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '60s', gracefulStop: '60s' } },
  httpTimeout: '90s',
};
export default async function () { await http.get(__ENV.HANG + '/hang'); }
`,
    );
    const p = spawnCli(['run', file, '--quiet', '--workers', '1'], {
      env: { HANG: hangUrl },
      node: NODE as string,
      timeoutMs: 40_000,
    });
    let orphans: number[] = [];
    try {
      await waitFor(() => sockets.size >= 2, 20_000, 'both VUs stuck on the hanging target');
      orphans = childrenOf(p.child.pid as number);
      p.child.kill('SIGTERM');
      await delay(700);
      assert.equal(p.child.exitCode, null, 'still running after the first SIGTERM (graceful 60s)');
      p.child.kill('SIGTERM');
      const r = await p.result;
      assert.equal(r.code, 105, describeResult(r));
      assert.ok(!r.timedOut, 'stopped by the second SIGTERM, not by the harness');
    } finally {
      for (const pid of [...orphans, ...childrenOf(p.child.pid as number)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await hang.close();
    }
  },
);
