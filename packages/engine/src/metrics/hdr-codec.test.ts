import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { Histogram } from './histogram.ts';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const PERCENTILES = Array.from({ length: 1001 }, (_, i) => i / 10);

function assertSameDistribution(a: Histogram, b: Histogram, what: string): void {
  assert.equal(a.count, b.count, `${what}: count`);
  for (const p of PERCENTILES) {
    assert.equal(a.valueAtPercentile(p), b.valueAtPercentile(p), `${what}: p(${p})`);
  }
}

test('merging encoded interval histograms gives exactly the histogram of all raw values', () => {
  const rand = rng(7);
  const exact = new Histogram({ wideCounts: true });
  const viaLibrary = build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    useWebAssembly: false,
    bitBucketSize: 64,
  });
  const merged = new Histogram({ wideCounts: true });
  for (let i = 0; i < 300; i++) {
    const interval = new Histogram();
    // Zeros, small values at unit resolution, a wide log-uniform body and rare huge outliers
    // (each interval grows to its own range, so merging must resize too).
    const n = 1 + Math.floor(rand() * 400);
    for (let j = 0; j < n; j++) {
      const r = rand();
      const v = r < 0.02 ? 0 : r < 0.04 ? 3_600_000_000 * rand() : Math.exp(rand() * Math.log(1e7));
      exact.record(v);
      interval.record(v);
    }
    const encoded = interval.encode();
    merged.addEncoded(encoded);
    viaLibrary.add(decodeFromCompressedBase64(encoded, 32, false));
  }
  assertSameDistribution(merged, exact, 'addEncoded vs raw values');
  assert.equal(merged.count, viaLibrary.totalCount);
  for (const p of PERCENTILES) {
    assert.equal(
      merged.valueAtPercentile(p),
      viaLibrary.getValueAtPercentile(p),
      `library p(${p})`,
    );
  }
  assert.equal(merged.max, viaLibrary.maxValue);
});

test('the encoding stays standard: the library decodes ours and we decode the library’s', () => {
  const rand = rng(11);
  const ours = new Histogram();
  const theirs = build({ numberOfSignificantValueDigits: 3, autoResize: true, bitBucketSize: 32 });
  for (let i = 0; i < 5000; i++) {
    const v = Math.round(Math.exp(rand() * Math.log(1e9)));
    ours.record(v);
    theirs.recordValue(v);
  }
  const decodedByLibrary = decodeFromCompressedBase64(ours.encode(), 32, false);
  const decodedByUs = Histogram.decode(encodeIntoCompressedBase64(theirs));
  assert.equal(decodedByLibrary.totalCount, 5000);
  for (const p of PERCENTILES) {
    const expected = theirs.getValueAtPercentile(p);
    assert.equal(decodedByLibrary.getValueAtPercentile(p), expected, `library decode p(${p})`);
    assert.equal(decodedByUs.valueAtPercentile(p), expected, `our decode p(${p})`);
    assert.equal(ours.valueAtPercentile(p), expected, `recorded p(${p})`);
  }
});

test('a histogram of another precision is merged through the library, value by value', () => {
  const other = build({ numberOfSignificantValueDigits: 2, autoResize: true });
  for (const v of [5, 50, 500, 5000, 50_000]) other.recordValue(v);
  const h = new Histogram({ wideCounts: true });
  h.record(7);
  h.addEncoded(encodeIntoCompressedBase64(other));
  assert.equal(h.count, 6);
  assert.equal(h.valueAtPercentile(0), 5);
});

test('empty histograms encode, decode and merge to nothing', () => {
  const empty = new Histogram().encode();
  assert.equal(decodeFromCompressedBase64(empty, 32, false).totalCount, 0);
  const h = new Histogram({ wideCounts: true });
  h.addEncoded(empty);
  assert.equal(h.count, 0);
  assert.throws(() => h.addEncoded('bm90IGEgaGlzdG9ncmFt'), /compressed V2/);
});
