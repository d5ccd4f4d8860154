import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IntervalSnapshot } from '@stampede/protocol';
import { MetricSpool } from './spool.ts';

function snap(source: string, seq: number): IntervalSnapshot {
  return {
    v: 1,
    source,
    seq,
    startMs: seq * 1000,
    endMs: seq * 1000 + 1000,
    series: [],
    health: [],
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'stampede-spool-'));
}

test('spool: written before sending, taken oldest first, deleted only when acknowledged', async () => {
  const dir = tempDir();
  try {
    const spool = new MetricSpool(dir);
    await spool.recover();
    for (let seq = 0; seq < 3; seq++) {
      await spool.write('run-1', snap('g0.w1', seq));
      await spool.write('run-1', snap('g0.w0', seq));
    }
    assert.equal(readdirSync(join(dir, 'run-1')).length, 6);
    const batch = await spool.take('run-1', 4);
    assert.deepEqual(
      batch.map((s) => `${s.source}#${s.seq}`),
      ['g0.w0#0', 'g0.w1#0', 'g0.w0#1', 'g0.w1#1'],
    );
    // The controller acknowledged only part of it (and something it never got).
    assert.equal(
      await spool.ack('run-1', [
        { source: 'g0.w0', seq: 0 },
        { source: 'g0.w1', seq: 1 },
        { source: 'x', seq: 9 },
      ]),
      2,
    );
    assert.equal(spool.pendingCount('run-1'), 4);
    const next = await spool.take('run-1');
    assert.deepEqual(
      next.map((s) => `${s.source}#${s.seq}`),
      ['g0.w1#0', 'g0.w0#1', 'g0.w0#2', 'g0.w1#2'],
    );
    assert.deepEqual(spool.lastSeqs('run-1'), { 'g0.w0': 2, 'g0.w1': 2 });
    await spool.ack('run-1', next);
    assert.equal(spool.pendingCount(), 0);
    // Still open: the folder stays until the run is sealed.
    assert.ok(existsSync(join(dir, 'run-1')));
    await spool.seal('run-1');
    assert.ok(!existsSync(join(dir, 'run-1')));
    assert.deepEqual(spool.lastSeqs('run-1'), { 'g0.w0': 2, 'g0.w1': 2 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spool: a restarted agent finds what was not acknowledged and sends it again', async () => {
  const dir = tempDir();
  try {
    const first = new MetricSpool(dir);
    await first.recover();
    await first.write('run-a', snap('g1.w0', 0));
    await first.write('run-a', snap('g1.w0', 1));
    await first.write('run-b', snap('g2.main', 0));
    await first.ack('run-a', [{ source: 'g1.w0', seq: 0 }]);
    // The process dies with a half-written temporary file and a stray file around.
    writeFileSync(join(dir, 'run-a', 'g1.w0~0000000002.json.tmp'), '{"v":1,');
    writeFileSync(join(dir, 'run-a', 'README'), 'not a snapshot');

    const second = new MetricSpool(dir);
    assert.deepEqual(await second.recover(), ['run-a', 'run-b']);
    assert.deepEqual(second.pendingRuns(), ['run-a', 'run-b']);
    assert.deepEqual(
      (await second.take('run-a')).map((s) => s.seq),
      [1],
    );
    assert.ok(!existsSync(join(dir, 'run-a', 'g1.w0~0000000002.json.tmp')));
    assert.deepEqual(second.lastSeqs('run-a'), { 'g1.w0': 1 });
    await second.ack('run-a', [{ source: 'g1.w0', seq: 1 }]);
    await second.ack('run-b', [{ source: 'g2.main', seq: 0 }]);
    // Recovered runs are sealed: their folders go once empty.
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spool: sources with odd characters round-trip through file names; corrupt files are dropped', async () => {
  const dir = tempDir();
  try {
    const spool = new MetricSpool(dir);
    await spool.recover();
    await spool.write('r', snap('g0/w~0 x', 7));
    await spool.write('r', snap('g0.w1', 8));
    writeFileSync(join(dir, 'r', `${encodeURIComponent('g0.w1')}~0000000008.json`), 'garbage');
    const again = new MetricSpool(dir);
    await again.recover();
    const bad: string[] = [];
    const taken = await again.take('r', 500, undefined, (file) => bad.push(file));
    assert.deepEqual(
      taken.map((s) => s.source),
      ['g0/w~0 x'],
    );
    assert.equal(bad.length, 1);
    assert.equal(again.pendingCount('r'), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spool: a batch stays under the byte limit but always holds at least one snapshot', async () => {
  const dir = tempDir();
  try {
    const spool = new MetricSpool(dir);
    await spool.recover();
    for (let seq = 0; seq < 5; seq++) await spool.write('r', snap('g0.w0', seq));
    const one = JSON.stringify(snap('g0.w0', 0)).length;
    assert.equal((await spool.take('r', 500, one * 2 + 5)).length, 2);
    assert.equal((await spool.take('r', 500, 1)).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
