import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@stampede/engine';
import type { IntervalSnapshot, MetricAck, MetricBatch } from '@stampede/protocol';
import { AgentError } from './errors.ts';
import { MetricSpool } from './spool.ts';
import { MetricUploader } from './uploader.ts';

function snap(source: string, seq: number): IntervalSnapshot {
  return { v: 1, source, seq, startMs: 0, endMs: 1000, series: [], health: [] };
}

async function setup(send: (b: MetricBatch) => Promise<MetricAck>) {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-uploader-'));
  const spool = new MetricSpool(dir);
  await spool.recover();
  const clock = new ManualClock();
  const logs: string[] = [];
  const uploader = new MetricUploader({
    spool,
    clock,
    send,
    log: (level, message) => logs.push(`${level}: ${message}`),
    random: () => 0.5,
  });
  return {
    dir,
    spool,
    clock,
    uploader,
    logs,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const ackAll = (b: MetricBatch): MetricAck => ({
  protocolVersion: 1,
  acked: b.snapshots.map((s) => ({ source: s.source, seq: s.seq })),
});

test('uploader: batches of at most 500, every snapshot sent once when all are acknowledged', async () => {
  const batches: MetricBatch[] = [];
  const t = await setup(async (b) => {
    batches.push(b);
    return ackAll(b);
  });
  try {
    for (let seq = 0; seq < 1203; seq++) await t.spool.write('run-1', snap('g0.w0', seq));
    t.uploader.kick();
    assert.equal(await t.uploader.drained(10_000), true);
    assert.deepEqual(
      batches.map((b) => b.snapshots.length),
      [500, 500, 203],
    );
    const seqs = batches.flatMap((b) => b.snapshots.map((s) => s.seq));
    assert.deepEqual(seqs, [...Array(1203).keys()]);
    assert.equal(t.spool.pendingCount(), 0);
  } finally {
    t.cleanup();
  }
});

test('uploader: unacknowledged snapshots are sent again after a failure, with backoff', async () => {
  let calls = 0;
  const sent: number[][] = [];
  const t = await setup(async (b) => {
    calls++;
    sent.push(b.snapshots.map((s) => s.seq));
    if (calls === 1) throw new AgentError('NETWORK', 'ECONNREFUSED');
    // Second call: only the first snapshot makes it.
    if (calls === 2) return { protocolVersion: 1, acked: [{ source: 'g0.w0', seq: 0 }] };
    return ackAll(b);
  });
  try {
    for (let seq = 0; seq < 3; seq++) await t.spool.write('r', snap('g0.w0', seq));
    t.uploader.kick();
    await until(() => calls === 1);
    await t.clock.advance(100);
    assert.equal(calls, 1, 'waits for the backoff');
    await t.clock.advance(1000);
    await until(() => t.spool.pendingCount() === 0);
    assert.equal(await t.uploader.drained(5000), true);
    assert.deepEqual(sent, [
      [0, 1, 2],
      [0, 1, 2],
      [1, 2],
    ]);
    assert.match(t.logs.join('\n'), /metric upload failed, retrying/);
  } finally {
    t.cleanup();
  }
});

test('uploader: a run the controller refuses for good stays spooled and does not block others', async () => {
  const t = await setup(async (b) => {
    if (b.runId === 'gone') throw new AgentError('HTTP_STATUS', 'run unknown', { status: 404 });
    return ackAll(b);
  });
  try {
    await t.spool.write('gone', snap('g0.w0', 0));
    await t.spool.write('live', snap('g0.w0', 0));
    t.uploader.kick();
    assert.equal(await t.uploader.drained(5000), true);
    assert.deepEqual(t.uploader.refusedRuns, ['gone']);
    assert.equal(t.spool.pendingCount('gone'), 1);
    assert.equal(t.spool.pendingCount('live'), 0);
  } finally {
    t.cleanup();
  }
});
