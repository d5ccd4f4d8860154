// Defects a fuzzer found (issue 19): deep JSON, refused requests that must leave the store
// alone, and error answers of the HTTP layer; against whichever store the caller gives.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiErrorSchema, auditPageSchema, runPageSchema } from '@stampede/protocol';
import {
  archiveBytes,
  call,
  storeSnapshot,
  upload,
  withApi,
  type ApiHarness,
  type MakeStore,
} from './harness.ts';

/** JSON text of an object nested `depth` levels deep (`{"a":{"a":…1…}}`). */
export function deepObjectJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** JSON text of arrays nested `depth` levels deep. */
export function deepArrayJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function errorOf(body: string) {
  return apiErrorSchema.parse(JSON.parse(body));
}

/** Registers the hardening tests on stores made by `makeStore`. */
export function hardeningSuite(makeStore: MakeStore): void {
  const api = (fn: (h: ApiHarness) => Promise<void>) => () => withApi(makeStore, fn);

  describe('hardening (issue 19)', () => {
    test(
      'item 1: deep free-form JSON in overrides is a 400 naming the field, at any depth',
      api(async (h) => {
        const sha = await upload(h);
        const before = await storeSnapshot(h.store);
        for (const deep of [
          deepObjectJson(10_000),
          deepArrayJson(4_316),
          deepObjectJson(4_000),
          deepObjectJson(40),
        ]) {
          const raw = `{"archiveSha256":"${sha}","overrides":{"vus":1,"custom":${deep}}}`;
          const res = await call(h.app, 'POST', '/api/v1/runs', {
            token: h.tokens.run,
            raw,
            contentType: 'application/json',
          });
          assert.equal(res.statusCode, 400, res.body.slice(0, 300));
          const err = errorOf(res.body);
          assert.equal(err.code, 'INVALID_REQUEST');
          assert.match(err.message, /body\.overrides\.custom: nested deeper than/);
        }
        // A shallow unknown key is still passed on, and a huge flat one is refused by size.
        const ok = await call(h.app, 'POST', '/api/v1/runs', {
          token: h.tokens.run,
          json: { archiveSha256: sha, overrides: { custom: { a: [1, 2, { b: 'c' }] } } },
        });
        assert.equal(ok.statusCode, 201, ok.body);
        const big = await call(h.app, 'POST', '/api/v1/runs', {
          token: h.tokens.run,
          json: { archiveSha256: sha, overrides: { custom: 'x'.repeat(100_000) } },
        });
        assert.equal(big.statusCode, 400, big.body);
        assert.match(errorOf(big.body).message, /body\.overrides\.custom: larger than/);
        assert.notEqual(await storeSnapshot(h.store), before); // the one good run
      }),
    );

    test(
      'item 1: the run list and the audit log answer whatever a stored row holds',
      api(async (h) => {
        const sha = await upload(h);
        const deep = deepObjectJson(4_000);
        const planJson = `{"archiveSha256":"${sha}","overrides":{"custom":${deep}},"env":{}}`;
        await h.store.createRun({
          planJson,
          bundleSha256: sha,
          generatorsRequested: 1,
          pool: 'local',
          createdBy: 'old controller',
          labels: {},
        });
        await h.store.appendAudit({
          actor: 'old controller',
          action: 'run.start',
          target: 'x',
          detailsJson: `{"overrides":${deep}}`,
        });
        const runs = await call(h.app, 'GET', '/api/v1/runs', { token: h.tokens.read });
        assert.equal(runs.statusCode, 200, runs.body.slice(0, 300));
        const page = runPageSchema.parse(runs.json());
        assert.equal(page.items.length, 1);
        assert.deepEqual(page.items[0]?.overrides, {});
        const one = await call(h.app, 'GET', `/api/v1/runs/${page.items[0]?.id}`, {
          token: h.tokens.read,
        });
        assert.equal(one.statusCode, 200);
        const audit = await call(h.app, 'GET', '/api/v1/audit', { token: h.tokens.admin });
        assert.equal(audit.statusCode, 200, audit.body.slice(0, 300));
        const entries = auditPageSchema.parse(audit.json()).items;
        assert.deepEqual(entries.find((e) => e.actor === 'old controller')?.details, {});
      }),
    );
    test('item 7: a run refused for 20,000 targets answers with the first few and a count', () =>
      withApi(
        makeStore,
        async (h) => {
          const targets = Array.from({ length: 20_000 }, (_, i) => `h${i}.example.org:8080`);
          const sha = await upload(h, archiveBytes('export default () => {}', targets));
          const res = await call(h.app, 'POST', '/api/v1/runs', {
            token: h.tokens.run,
            json: { archiveSha256: sha },
          });
          assert.equal(res.statusCode, 422);
          assert.ok(res.body.length < 8 * 1024, `answer of ${res.body.length} bytes`);
          const err = errorOf(res.body);
          assert.equal(err.code, 'TARGET_NOT_ALLOWED');
          assert.equal(err.details['refusedCount'], 20_000);
          assert.equal((err.details['targets'] as string[]).length, 20);
          assert.match(err.message, /and 19980 more/);
        },
        { config: { maxArchiveBytes: 4 * 1024 * 1024 } },
      ));
    test(
      'item 8: foreign cursors and loose query values are 400s naming the parameter',
      api(async (h) => {
        const run = await upload(h).then((sha) =>
          call(h.app, 'POST', '/api/v1/runs', {
            token: h.tokens.run,
            json: { archiveSha256: sha },
          }),
        );
        const runId = (run.json() as { id: string }).id;
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        const bad: [string, RegExp][] = [
          [`/api/v1/runs?cursor=${b64([1e400, 'x'])}`, /cursor/],
          [`/api/v1/runs?cursor=${b64([-1, 'x'])}`, /cursor/],
          [`/api/v1/runs?cursor=${b64([1, 'x', 3])}`, /cursor/],
          ['/api/v1/runs?status=', /query\.status/],
          ['/api/v1/runs?status=queued,,running', /query\.status/],
          ['/api/v1/runs?limit=0x10', /query\.limit/],
          ['/api/v1/runs?limit=1e2', /query\.limit/],
          ['/api/v1/runs?limit=', /query\.limit/],
          ['/api/v1/runs?limit=+5', /query\.limit/],
          [`/api/v1/runs/${runId}/logs?afterId=`, /query\.afterId/],
          [`/api/v1/runs/${runId}/logs?afterId=0x10`, /query\.afterId/],
          ['/api/v1/generators?status=', /query\.status/],
        ];
        for (const [url, field] of bad) {
          const res = await call(h.app, 'GET', url, { token: h.tokens.read });
          assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
          assert.match(errorOf(res.body).message, field, url);
        }
        for (const url of [
          '/api/v1/runs?status=queued,running&limit=10',
          `/api/v1/runs/${runId}/logs?afterId=0&limit=5`,
        ]) {
          const res = await call(h.app, 'GET', url, { token: h.tokens.read });
          assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        }
      }),
    );
    test(
      'item 10: a run naming an unknown pool is refused at once with 422 naming the pool',
      api(async (h) => {
        const sha = await upload(h);
        const before = await storeSnapshot(h.store);
        const res = await call(h.app, 'POST', '/api/v1/runs', {
          token: h.tokens.run,
          json: { archiveSha256: sha, pool: 'eu-wset' },
        });
        assert.equal(res.statusCode, 422, res.body);
        const err = errorOf(res.body);
        assert.equal(err.code, 'POOL_NOT_FOUND');
        assert.match(err.message, /body\.pool: no pool "eu-wset"/);
        assert.equal(await storeSnapshot(h.store), before, 'nothing stored');
        // A pool with a generator is known.
        await h.store.createGenerator({ name: 'g1', kind: 'static', pool: 'eu-west' });
        const ok = await call(h.app, 'POST', '/api/v1/runs', {
          token: h.tokens.run,
          json: { archiveSha256: sha, pool: 'eu-west' },
        });
        assert.equal(ok.statusCode, 201, ok.body);
      }),
    );
    test(
      'item 9: live API token names are unique (parallel creates: one 201, the rest 409)',
      api(async (h) => {
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            call(h.app, 'POST', '/api/v1/tokens', {
              token: h.tokens.admin,
              json: { name: 'deploy', scopes: ['read'] },
            }),
          ),
        );
        const statuses = results.map((r) => r.statusCode).sort();
        assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409]);
        const conflict = results.find((r) => r.statusCode === 409);
        assert.match(errorOf(conflict?.body ?? '{}').message, /named "deploy" exists/);
        // Once revoked, the name is free again.
        const id = (results.find((r) => r.statusCode === 201)?.json() as { id: string }).id;
        const del = await call(h.app, 'DELETE', `/api/v1/tokens/${id}`, { token: h.tokens.admin });
        assert.equal(del.statusCode, 200, del.body);
        const again = await call(h.app, 'POST', '/api/v1/tokens', {
          token: h.tokens.admin,
          json: { name: 'deploy', scopes: ['read'] },
        });
        assert.equal(again.statusCode, 201, again.body);
      }),
    );

    test(
      'item 9: repeated revoke and terminate write one audit entry each',
      api(async (h) => {
        const made = await call(h.app, 'POST', '/api/v1/tokens', {
          token: h.tokens.admin,
          json: { name: 'once', scopes: ['read'] },
        });
        const id = (made.json() as { id: string }).id;
        for (let i = 0; i < 3; i++) {
          const r = await call(h.app, 'DELETE', `/api/v1/tokens/${id}`, { token: h.tokens.admin });
          assert.equal(r.statusCode, 200, r.body);
        }
        const g = await h.store.createGenerator({ name: 'g-once', kind: 'static', pool: 'static' });
        for (let i = 0; i < 3; i++) {
          const r = await call(h.app, 'POST', `/api/v1/generators/${g.id}/terminate`, {
            token: h.tokens.admin,
          });
          assert.equal(r.statusCode, 202, r.body);
        }
        assert.equal(h.pools.terminations.length, 1);
        const audit = await h.store.listAudit({ limit: 100 });
        assert.equal(audit.filter((a) => a.action === 'token.revoke').length, 1);
        assert.equal(audit.filter((a) => a.action === 'generator.terminate').length, 1);
      }),
    );
  });
}
