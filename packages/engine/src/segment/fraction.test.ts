import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fraction } from './fraction.ts';
import { ExecutionSegment } from './execution-segment.ts';
import { SegmentSequence } from './segment-sequence.ts';

test('Fraction parses and normalises', () => {
  assert.equal(Fraction.parse('2/6').toString(), '1/3');
  assert.equal(Fraction.parse('0.25').toString(), '1/4');
  assert.equal(Fraction.parse('0').toString(), '0');
  assert.equal(Fraction.parse('1').toString(), '1');
  assert.equal(Fraction.parse('.5').toString(), '1/2');
  assert.equal(Fraction.parse('50%').toString(), '1/2');
  assert.equal(Fraction.parse(' 3 / 4 ').toString(), '3/4');
  for (const bad of ['', 'x', '1/0', '-1/2', '1/2/3', '.'])
    assert.throws(() => Fraction.parse(bad), RangeError);
});

test('Fraction arithmetic is exact', () => {
  const third = Fraction.parse('1/3');
  assert.equal(third.add(third).add(third).toString(), '1');
  assert.equal(Fraction.parse('1/2').sub(third).toString(), '1/6');
  assert.equal(Fraction.parse('2/3').mul(Fraction.parse('3/4')).toString(), '1/2');
  assert.ok(third.compare(Fraction.parse('0.333')) > 0);
  assert.throws(() => third.sub(Fraction.parse('1/2')), RangeError);
});

test('ExecutionSegment parses k6 syntax', () => {
  const s = ExecutionSegment.parse('1/3:2/3');
  assert.equal(s.toString(), '1/3:2/3');
  assert.equal(s.width.toString(), '1/3');
  assert.equal(ExecutionSegment.parse('0:0.5').toString(), '0:1/2');
  assert.equal(ExecutionSegment.parse('1/4').toString(), '0:1/4');
  assert.ok(ExecutionSegment.parse('0:1').isFull);
  for (const bad of ['1/2:1/2', '2/3:1/3', '0:3/2', '0:1:1'])
    assert.throws(() => ExecutionSegment.parse(bad), RangeError);
});

test('SegmentSequence parses, defaults and validates', () => {
  const seq = SegmentSequence.parse('0,1/3,2/3,1');
  assert.equal(seq.length, 3);
  assert.equal(seq.period, 3);
  assert.equal(seq.indexOf(ExecutionSegment.parse('1/3:2/3')), 1);
  assert.throws(() => seq.indexOf(ExecutionSegment.parse('0:2/3')), RangeError);
  assert.equal(
    SegmentSequence.forSegment(ExecutionSegment.parse('1/4:1/2')).toString(),
    '0,1/4,1/2,1',
  );
  assert.equal(SegmentSequence.forSegment(ExecutionSegment.parse('0:1/2')).toString(), '0,1/2,1');
  assert.equal(SegmentSequence.forSegment(ExecutionSegment.parse('0:1')).toString(), '0,1');
  for (const bad of ['0,1/2', '1/2,1', '0,1/2,1/3,1', '0,1/2,1/2,1'])
    assert.throws(() => SegmentSequence.parse(bad), RangeError);
  assert.throws(() => SegmentSequence.parse('0,1/1000003,1'), /striping period/);
});
