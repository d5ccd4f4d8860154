// The web UI's build: how long esbuild takes to bundle packages/web in memory (what the
// controller does on the first request for `/`) and how big the JavaScript is, raw and gzip.
// Run: ./node_modules/.bin/node bench/web-ui.ts [builds=5]
import { gzipSync } from 'node:zlib';
import { buildWebUi } from '@stampede/web';

const builds = Number(process.argv[2] ?? 5);
const times: number[] = [];
let sizes: Record<string, { bytes: number; gzipBytes: number }> = {};
for (let i = 0; i < builds; i++) {
  const { assets, buildMs } = await buildWebUi();
  times.push(buildMs);
  sizes = Object.fromEntries(
    [...assets.values()].map((a) => [
      a.path,
      { bytes: a.body.length, gzipBytes: gzipSync(a.body).length },
    ]),
  );
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
console.log(
  JSON.stringify(
    {
      builds,
      firstBuildMs: Math.round(times[0] ?? 0),
      medianBuildMs: Math.round(median),
      sizes,
    },
    null,
    2,
  ),
);
