// Issue 9 speed figures of packages/analysis (the CLI's file reading is not included):
//   comparing 2 × 20 summaries (summarySchema parse + run statistics + compareRuns),
//   change points over 10,000 history points (detectChangePoints, changePointStateFrom),
//   appending one point to a persisted state (appendPoint), worst case: a change in the window.
// Usage: node bench/compare-speed.ts
import { performance } from 'node:perf_hooks';
import {
  appendPoint,
  changePointStateFrom,
  compareRuns,
  detectChangePoints,
  runStatisticsFromSummary,
} from '@stampede/analysis';
import { summarySchema } from '@stampede/protocol';
import { gaussian, rng } from './compare/sim-model.ts';
import { summaryTexts } from './compare/summary-text.ts';

const g = gaussian(rng(42));
const summaryText = summaryTexts(42);
function timeMs(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1]!.toFixed(2)} ms (n=${s.length})`;
}

// 1. Compare 2 × 20 summaries.
const a = Array.from({ length: 20 }, () => summaryText(1));
const b = Array.from({ length: 20 }, () => summaryText(1.1));
let rows = 0;
const compareOnce = (): void => {
  const side = (texts: string[], label: string) =>
    texts.map((t, i) =>
      runStatisticsFromSummary(summarySchema.parse(JSON.parse(t)), { source: `${label}${i}.json` }),
    );
  rows = compareRuns(side(a, 'a'), side(b, 'b')).rows.length;
};
const cold = timeMs(compareOnce);
const warm = Array.from({ length: 20 }, () => timeMs(compareOnce));
console.log(
  `compare 2 × 20 summaries (${rows} rows): first ${cold.toFixed(1)} ms; then ${stats(warm)}`,
);

// 2. Change points over 10,000 points: a step every 1,000 points, noise 2%.
const values = Array.from(
  { length: 10_000 },
  (_, i) => 100 * (1 + 0.1 * (Math.floor(i / 1000) % 2)) * (1 + 0.02 * g()),
);
let found = 0;
const detect = [0, 1, 2].map(() => timeMs(() => (found = detectChangePoints(values).length)));
console.log(
  `detectChangePoints over 10,000 points (${found} found, 9 true steps): ${stats(detect)}`,
);
const points = values.map((value, i) => ({ id: `r${i}`, value, atMs: i * 60_000 }));
let state = changePointStateFrom(points, {}, 0);
console.log(
  `changePointStateFrom over 10,000 points: ${stats([timeMs(() => (state = changePointStateFrom(points, {}, 0)))])}`,
);

// 3. Append: 200 points at level 100 after a history ending at 110 (a step down at the first
// appended point), a 10% step up 30 points in: about 90 appends have a change in their window.
const appends: number[] = [];
for (let i = 0; i < 200; i++) {
  const v = 100 * (i >= 30 ? 1.1 : 1) * (1 + 0.02 * g());
  appends.push(timeMs(() => (state = appendPoint(state, { id: `n${i}`, value: v, atMs: 0 }, i))));
}
const live = state.records.filter((r) => r.index >= 10_000 && r.status !== 'withdrawn').length;
console.log(
  `appendPoint (200 appends): ${stats(appends)}; change points among the appended: ${live} (2 true steps)`,
);
