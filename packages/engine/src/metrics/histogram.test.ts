import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram } from './histogram.ts';

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

test('merging histograms equals recording every sample into one', () => {
  const rand = rng(42);
  const all = new Histogram();
  const merged = new Histogram();
  for (let part = 0; part < 50; part++) {
    const h = new Histogram();
    const n = 1 + Math.floor(rand() * 500);
    // Log-uniform values from 1 µs to ~100 s so many buckets are used.
    for (let i = 0; i < n; i++) {
      const v = Math.floor(Math.exp(rand() * Math.log(1e8)));
      h.record(v);
      all.record(v);
    }
    merged.add(h);
  }
  assert.equal(merged.count, all.count);
  assert.equal(merged.max, all.max);
  for (const p of PERCENTILES)
    assert.equal(merged.valueAtPercentile(p), all.valueAtPercentile(p), `p(${p})`);
});

test('encode/decode round trip keeps every percentile', () => {
  const rand = rng(7);
  const h = new Histogram();
  for (let i = 0; i < 10_000; i++) h.record(Math.floor(rand() * 5_000_000));
  const d = Histogram.decode(h.encode());
  assert.equal(d.count, h.count);
  for (const p of PERCENTILES) assert.equal(d.valueAtPercentile(p), h.valueAtPercentile(p));
  // A decoded histogram accepts larger values afterwards (autoResize is restored).
  d.add(Histogram.decode(bigOne().encode()));
  assert.equal(d.count, h.count + 1);
  const wide = Histogram.decode(h.encode(), { wideCounts: true });
  assert.equal(wide.valueAtPercentile(50), h.valueAtPercentile(50));
});

function bigOne(): Histogram {
  const h = new Histogram();
  h.record(3_600_000_000); // one hour in µs
  return h;
}

test('negative values clamp to 0, fractions round, non-finite values are ignored', () => {
  const h = new Histogram();
  h.record(-5);
  h.record(2.6);
  h.record(Number.NaN);
  h.record(Number.POSITIVE_INFINITY);
  assert.equal(h.count, 2);
  assert.equal(h.valueAtPercentile(0), 0);
  assert.equal(h.valueAtPercentile(100), 3);
  h.record(10, 3);
  assert.equal(h.count, 5);
});

test('an empty histogram reports 0 and encodes', () => {
  const h = new Histogram();
  assert.equal(h.count, 0);
  assert.equal(h.valueAtPercentile(99), 0);
  assert.equal(h.max, 0);
  assert.equal(Histogram.decode(h.encode()).count, 0);
  h.record(5);
  h.reset();
  assert.equal(h.count, 0);
});

test('percentiles are within 3 significant digits of the exact nearest-rank value', () => {
  const rand = rng(1);
  const values: number[] = [];
  const h = new Histogram();
  for (let i = 0; i < 20_000; i++) {
    const v = Math.floor(Math.exp(rand() * Math.log(1e7)));
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  for (const p of [1, 50, 90, 95, 99, 99.9]) {
    // Nearest rank; the epsilon undoes float error such as 99.9 / 100 * 20000 = 19980.000000000004.
    const exact = values[Math.ceil((p / 100) * values.length - 1e-9) - 1] as number;
    const got = h.valueAtPercentile(p);
    assert.ok(got >= exact && got - exact <= exact / 1000 + 1, `p(${p}) exact=${exact} got=${got}`);
  }
});

test('merge speed: 1000 one-interval histograms (prints only)', () => {
  const rand = rng(3);
  const encoded: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const h = new Histogram();
    for (let j = 0; j < 200; j++) h.record(Math.floor(Math.exp(rand() * Math.log(1e6))));
    encoded.push(h.encode());
  }
  const decoded = encoded.map((e) => Histogram.decode(e));
  let t0 = performance.now();
  const total = new Histogram({ wideCounts: true });
  for (const h of decoded) total.add(h);
  const mergeMs = performance.now() - t0;
  t0 = performance.now();
  const total2 = new Histogram({ wideCounts: true });
  for (const e of encoded) total2.add(Histogram.decode(e));
  const decodeMergeMs = performance.now() - t0;
  assert.equal(total.count, 200_000);
  assert.equal(total2.count, 200_000);
  console.log(
    `# merge of 1000 histograms: ${mergeMs.toFixed(1)} ms; decode+merge: ${decodeMergeMs.toFixed(1)} ms`,
  );
});
