// The web UI's routes: the page, its script and stylesheet under a strict CSP, 404s in the API's
// error shape, and the scope probe the UI's sign-in relies on (403 without the scope, 404 with it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiErrorSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import { withApi, type MakeStore } from './api/testing/harness.ts';
import { WEB_UI_CSP } from './web-ui.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

test('GET / serves the UI page, and its script and stylesheet, with a strict CSP', async () => {
  await withApi(sqlite, async ({ app }) => {
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.equal(page.headers['content-security-policy'], WEB_UI_CSP);
    assert.match(WEB_UI_CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(WEB_UI_CSP, /unsafe-inline|unsafe-eval|https?:/);
    const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"[^>]*>\s*<\/script>/g)];
    assert.deepEqual(
      scripts.map((m) => m[1]),
      ['/assets/app.js'],
    );
    assert.doesNotMatch(page.body, /<script(?![^>]*src=)[^>]*>/, 'no inline script');

    const js = await app.inject({ method: 'GET', url: '/assets/app.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.ok(js.body.length > 1000, 'a real bundle');
    const css = await app.inject({ method: 'GET', url: '/assets/app.css' });
    assert.equal(css.statusCode, 200);
    assert.match(css.headers['content-type'] as string, /^text\/css/);
  });
});

test('an unknown UI file is a 404 in the API error shape, and the API keeps its own 404', async () => {
  await withApi(sqlite, async ({ app }) => {
    const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(apiErrorSchema.parse(missing.json()).code, 'NOT_FOUND');
    const api = await app.inject({ method: 'GET', url: '/api/v1/nope' });
    assert.equal(api.statusCode, 404);
    assert.equal(apiErrorSchema.parse(api.json()).code, 'NOT_FOUND');
  });
});

test("the UI's scope probe: abort of an unknown run is 403 without the run scope, 404 with it", async () => {
  await withApi(sqlite, async ({ app, tokens }) => {
    const probe = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/runs/ui-scope-probe/abort',
        headers: { authorization: `Bearer ${token}` },
      });
    assert.equal((await probe(tokens.read)).statusCode, 403);
    assert.equal((await probe(tokens.readRun)).statusCode, 404);
    assert.equal((await probe(tokens.admin)).statusCode, 404);
  });
});
