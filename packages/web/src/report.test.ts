import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { summarySchema } from '@stampede/protocol';
import { renderReportHtml } from './report.ts';

const summary = summarySchema.parse(
  JSON.parse(
    readFileSync(
      new URL('../../engine/src/summary/testdata/summary.golden.json', import.meta.url),
      'utf8',
    ),
  ),
);

const hashOf = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

test('the report inlines everything and its CSP allows exactly its inline script and style', async () => {
  const html = await renderReportHtml({
    v: 1,
    title: 'plain',
    generatedAtMs: 0,
    summary,
    note: null,
    series: null,
  });
  assert.doesNotMatch(html, /<script[^>]*\ssrc=|<link[^>]*stylesheet|(src|href)="https?:/i);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'none'/);
  const script = /<script type="module">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  assert.ok(script.length > 10_000 && style.length > 1000);
  assert.ok(csp.includes(`script-src ${hashOf(script)}`), 'script hash');
  assert.ok(csp.includes(`style-src ${hashOf(style)}`), 'style hash');
});

test('data cannot end its JSON block or inject markup', async () => {
  const evil = '</script><script>alert(1)</script><!--';
  const html = await renderReportHtml({
    v: 1,
    title: evil,
    generatedAtMs: 0,
    summary: { ...summary, labels: { note: evil } },
    note: evil,
    series: null,
  });
  assert.equal(html.match(/<script/g)?.length, 2, 'only the data block and the bundle');
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(json?.[1]);
  const data = JSON.parse(json[1]) as { title: string; note: string };
  assert.equal(data.title, evil, 'the data survives intact');
  assert.equal(data.note, evil);
  assert.match(html, /<title>Stampede report: &#60;\/script&#62;/);
});
