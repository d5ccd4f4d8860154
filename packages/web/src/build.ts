// Builds the web UI with esbuild into memory: one JavaScript bundle, one stylesheet and the HTML
// page that loads them. The controller calls it on the first request for the UI (so `npm
// install` then `npx stampede server` works on a fresh clone with nothing prebuilt), and
// `npm run build -w @stampede/web` writes the same files to packages/web/dist for inspection.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One built file of the UI: its path under `/` (e.g. `assets/app.js`), content type and bytes. */
export interface WebAsset {
  path: string;
  contentType: string;
  body: Uint8Array;
}

/** The built UI: its files by path (`index.html` included) and how long the build took, ms. */
export interface WebBuild {
  assets: Map<string, WebAsset>;
  buildMs: number;
}

/** Options of buildWebUi. */
export interface BuildWebUiOptions {
  /** Minify the bundle (default true). */
  minify?: boolean;
}

const appDir = fileURLToPath(new URL('../app/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.'));
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Bundles packages/web/app into memory (nothing is written to disk). */
export async function buildWebUi(options: BuildWebUiOptions = {}): Promise<WebBuild> {
  const started = performance.now();
  const result = await build({
    entryPoints: { app: `${appDir}main.tsx` },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: options.minify ?? true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: '/assets',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const assets = new Map<string, WebAsset>();
  for (const file of result.outputFiles) {
    const path = file.path.replace(/^.*\/assets\//, 'assets/');
    assets.set(path, { path, contentType: contentTypeOf(path), body: file.contents });
  }
  const html = await readFile(`${appDir}index.html`);
  assets.set('index.html', { path: 'index.html', contentType: contentTypeOf('.html'), body: html });
  return { assets, buildMs: performance.now() - started };
}
