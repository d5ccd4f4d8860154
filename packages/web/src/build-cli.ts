// `npm run build -w @stampede/web`: writes the built UI to packages/web/dist (git-ignored) and
// prints each file's size and the build time. The controller does not need this: it builds the
// UI in memory on first use.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildWebUi } from './build.ts';

const outDir = fileURLToPath(new URL('../dist/', import.meta.url));
const { assets, buildMs } = await buildWebUi();
for (const asset of assets.values()) {
  const file = join(outDir, asset.path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, asset.body);
  const gzipBytes = gzipSync(asset.body).length;
  console.log(`${asset.path}: ${asset.body.length} bytes, ${gzipBytes} gzip`);
}
console.log(`built in ${buildMs.toFixed(0)} ms into ${outDir}`);
