import type { SegmentLevel } from '../worker/messages.ts';

/** Splits a process's segment evenly among its load workers: worker i takes [i/n, (i+1)/n) of it. */
export function splitSegment(base: SegmentLevel, workers: number): SegmentLevel[][] {
  const n = Math.max(1, Math.floor(workers));
  const cuts = Array.from({ length: n + 1 }, (_, i) => fraction(i, n));
  const sequence = cuts.join(',');
  return Array.from({ length: n }, (_, i) => [
    base,
    { sequence, segment: `${cuts[i]}:${cuts[i + 1]}` },
  ]);
}

function fraction(num: number, den: number): string {
  if (num === 0) return '0';
  if (num === den) return '1';
  const g = gcd(num, den);
  return `${num / g}/${den / g}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
