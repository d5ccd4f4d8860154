// The self-contained HTML report: one file with the report's script, stylesheet and data inlined
// (the data as a JSON block, never as code), so it opens from file:// or an e-mail attachment with
// no network access. Its Content-Security-Policy allows only those inline parts (by hash) and no
// connection at all, so even a bug cannot make it fetch anything.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ReportData } from '@stampede/protocol';

const appDir = fileURLToPath(new URL('../app/', import.meta.url));

/** The report's bundled script and stylesheet, as text. */
interface ReportBundle {
  js: string;
  css: string;
}

// One build per process: a CLI writes one report, tests write several.
let bundle: Promise<ReportBundle> | undefined;

async function buildReportBundle(): Promise<ReportBundle> {
  const result = await build({
    entryPoints: { report: `${appDir}report.tsx` },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: '/report',
    logLevel: 'silent',
    legalComments: 'none',
  });
  let js = '';
  let css = '';
  for (const file of result.outputFiles) {
    if (file.path.endsWith('.js')) js = file.text;
    else if (file.path.endsWith('.css')) css = file.text;
  }
  return { js, css };
}

function reportBundle(): Promise<ReportBundle> {
  bundle ??= buildReportBundle().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Text that cannot close the element it is inlined in (`</script`, `</style`, `<!--`). */
function inlineSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content-Security-Policy of a report whose inline script and style are `js` and `css`. */
export function reportCsp(js: string, css: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${sha256(css)}`,
    'img-src data: blob:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The whole HTML report of `data`, as one string (UTF-8 when written). */
export async function renderReportHtml(data: ReportData): Promise<string> {
  const built = await reportBundle();
  const js = inlineSafe(built.js);
  const css = inlineSafe(built.css);
  // `<` never appears in the JSON block, so no string in the data can end it early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta http-equiv="Content-Security-Policy" content="${reportCsp(js, css)}" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="generator" content="stampede" />
<title>${escapeHtml(`Stampede report: ${data.title}`)}</title>
<link rel="icon" href="data:," />
<style>${css}</style>
</head>
<body>
<div id="root"></div>
<noscript>This report draws its tables and charts with JavaScript.</noscript>
<script type="application/json" id="report-data">${json}</script>
<script type="module">${js}</script>
</body>
</html>
`;
}
