// The self-contained HTML report of a 1-hour run at 1 s resolution (3,600 points per series):
// how long writing it takes, how big it is, and how long Debian's Chromium takes from navigation
// to the four charts drawn (the goal: a 1-hour run's result page in under 1 s).
// Run: ./node_modules/.bin/node bench/html-report.ts [loads=5]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { summarySchema, type TimeSeries } from '@stampede/protocol';
import { renderReportHtml } from '@stampede/web';

const loads = Number(process.argv[2] ?? 5);
const POINTS = 3600;
const summary = summarySchema.parse(
  JSON.parse(
    readFileSync(
      new URL('../packages/engine/src/summary/testdata/summary.golden.json', import.meta.url),
      'utf8',
    ),
  ),
);
const t0 = 1_800_000_000;
const wave = (i: number, base: number, amp: number): number =>
  Math.round((base + amp * Math.sin(i / 60) + (i % 7) / 7) * 1000) / 1000;
const series: TimeSeries = {
  timesSec: Array.from({ length: POINTS }, (_, i) => t0 + i),
  ratePerSec: Array.from({ length: POINTS }, (_, i) => wave(i, 1000, 200)),
  p50Ms: Array.from({ length: POINTS }, (_, i) => wave(i, 10, 2)),
  p95Ms: Array.from({ length: POINTS }, (_, i) => wave(i, 40, 8)),
  p99Ms: Array.from({ length: POINTS }, (_, i) => wave(i, 90, 20)),
  errorPct: Array.from({ length: POINTS }, (_, i) => (i % 300 === 0 ? 5 : 0)),
  vus: Array.from({ length: POINTS }, () => 50),
};

const started = performance.now();
const html = await renderReportHtml({
  v: 1,
  title: 'bench',
  generatedAtMs: Date.now(),
  summary,
  note: null,
  series,
});
const firstRenderMs = performance.now() - started;
const dir = mkdtempSync(join(tmpdir(), 'stampede-bench-report-'));
const file = join(dir, 'report.html');
writeFileSync(file, html);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
});
const toChartsMs: number[] = [];
let hover: { moves: number; wallMs: number; longTasks: number; longestTaskMs: number } | null =
  null;

/** Sweeps the mouse across every chart (uPlot's cursor and legend follow it) and counts long tasks. */
async function hoverCost(page: Page): Promise<NonNullable<typeof hover>> {
  await page.evaluate(`(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
      .observe({ type: 'longtask', buffered: false });
  })()`);
  const boxes = await page.locator('.chart .u-over').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return [r.left, r.top, r.width, r.height];
    }),
  );
  const t = performance.now();
  let moves = 0;
  for (const [left, top, width, height] of boxes as [number, number, number, number][]) {
    await page.mouse.move(left + 1, top + height / 2);
    await page.mouse.move(left + width - 1, top + height / 2, { steps: 60 });
    moves += 60;
  }
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(0)))');
  const wallMs = performance.now() - t;
  const long = await page.evaluate<number[]>('window.__long');
  return {
    moves,
    wallMs: Math.round(wallMs),
    longTasks: long.length,
    longestTaskMs: Math.round(Math.max(0, ...long)),
  };
}
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({
      offline: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'commit' });
    await page.waitForFunction("document.querySelectorAll('.chart canvas').length === 4");
    // In-page: ms from navigation start to the frame after the charts were drawn.
    toChartsMs.push(
      await page.evaluate<number>(
        'new Promise((r) => requestAnimationFrame(() => r(performance.now())))',
      ),
    );
    if (i === 0) hover = await hoverCost(page);
    await context.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
const sorted = [...toChartsMs].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      points: POINTS,
      firstRenderReportMs: Math.round(firstRenderMs),
      htmlBytes: Buffer.byteLength(html),
      htmlGzipBytes: gzipSync(html).length,
      loads,
      navigationToChartsMs: toChartsMs.map(Math.round),
      medianNavigationToChartsMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      hoverAcrossAllCharts: hover,
    },
    null,
    2,
  ),
);
