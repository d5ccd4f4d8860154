import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { LeaseGate, monotonicMs } from './lease-gate.ts';

test('LeaseGate: closed when created, open until the deadline, never moved earlier, revoked for good', async () => {
  const gate = LeaseGate.create();
  assert.equal(gate.isOpen(), false);
  gate.extendUntil(monotonicMs() + 60_000);
  assert.equal(gate.isOpen(), true);
  gate.extendUntil(monotonicMs() - 1000); // an older answer arriving late
  assert.equal(gate.isOpen(), true);
  const view = LeaseGate.from(gate.buffer);
  assert.ok(view.remainingMs() > 59_000);
  gate.revoke();
  assert.equal(view.isOpen(), false);
  gate.extendUntil(monotonicMs() + 120_000);
  assert.equal(view.isOpen(), false);
  assert.equal(view.remainingMs(), -Infinity);

  const short = LeaseGate.create();
  short.extendUntil(monotonicMs() + 30);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(short.isOpen(), false);
});

test('LeaseGate: another thread sees the deadline on the same monotonic clock', async () => {
  const gate = LeaseGate.create();
  gate.extendUntil(monotonicMs() + 5000);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const slots = new BigInt64Array(workerData, 0, 2);
    const left = Number(Atomics.load(slots, 0) - process.hrtime.bigint()) / 1e6;
    parentPort.postMessage(left);`;
  const worker = new Worker(code, { eval: true, workerData: gate.buffer });
  const left = await new Promise<number>((resolve) => worker.once('message', resolve));
  await worker.terminate();
  assert.ok(left > 4000 && left <= 5000, `the worker sees ${left} ms left`);
});
