// The partition of a run over N generators: segments that tile [0, 1) in the engine's notation,
// and snapshot sources that name their generator unambiguously.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionSegment, SegmentSequence } from '@stampede/engine';
import { formatSeqRanges, segmentOf, segmentSequenceOf, sourceIndex } from './partition.ts';

test('segments of N generators tile the sequence the engine parses', () => {
  for (const n of [1, 2, 3, 4, 6, 7]) {
    const sequence = SegmentSequence.parse(segmentSequenceOf(n));
    assert.equal(sequence.toString(), segmentSequenceOf(n), 'written as the engine writes it');
    for (let i = 0; i < n; i++) {
      const seg = ExecutionSegment.parse(segmentOf(i, n));
      assert.equal(seg.toString(), segmentOf(i, n));
      assert.doesNotThrow(() => sequence.indexOf(seg));
    }
  }
  assert.deepEqual([segmentOf(0, 1), segmentSequenceOf(1)], ['0:1', '0,1']);
  assert.deepEqual([segmentOf(1, 4), segmentSequenceOf(4)], ['1/4:1/2', '0,1/4,1/2,3/4,1']);
});

test('snapshot sources name their generator; g1 is not g10', () => {
  assert.equal(sourceIndex('g0'), 0);
  assert.equal(sourceIndex('g1.w3'), 1);
  assert.equal(sourceIndex('g10'), 10);
  assert.equal(sourceIndex('g10/w0'), 10);
  for (const bad of ['w0', 'g', 'gx', 'G1', 'g1w0', '']) assert.equal(sourceIndex(bad), undefined);
});

test('missing seqs read as ranges', () => {
  assert.equal(formatSeqRanges([1, 2, 3, 5, 7, 8]), '1-3, 5, 7-8');
  assert.equal(formatSeqRanges([]), '');
});
