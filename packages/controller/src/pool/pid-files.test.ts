import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  AGENT_PID_FILE,
  endPreviousAgents,
  processStartTicks,
  writeAgentPidFile,
} from './pid-files.ts';

function sleeper(t: { after: (f: () => void) => void }): {
  pid: number;
  exited: Promise<unknown>;
} {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  t.after(() => {
    child.kill('SIGKILL');
  });
  assert.ok(child.pid);
  return { pid: child.pid, exited };
}

test('endPreviousAgents ends the process a PID file names, and removes the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-pids-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'local-1'));
  const s = sleeper(t);
  assert.ok(writeAgentPidFile(join(dir, 'local-1'), s.pid));
  assert.deepEqual(endPreviousAgents(dir), [s.pid]);
  await s.exited;
  assert.equal(processStartTicks(s.pid), null);
  assert.equal(existsSync(join(dir, 'local-1', AGENT_PID_FILE)), false);
});

test('endPreviousAgents leaves alone a process that reuses a recorded PID', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-pids-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'local-1'));
  const s = sleeper(t);
  const ticks = processStartTicks(s.pid);
  assert.ok(ticks !== null);
  // The same PID with another start time: what a PID file says after the PID was reused.
  const other = String(BigInt(ticks) + 1n);
  writeFileSync(
    join(dir, 'local-1', AGENT_PID_FILE),
    JSON.stringify({ pid: s.pid, startTicks: other }),
  );
  assert.deepEqual(endPreviousAgents(dir), []);
  assert.equal(processStartTicks(s.pid), ticks, 'still running');
});

test('processStartTicks reads this process and nothing for a PID that does not exist', () => {
  assert.match(processStartTicks(process.pid) ?? '', /^\d+$/);
  assert.equal(processStartTicks(2 ** 22 + 12345), null);
});
