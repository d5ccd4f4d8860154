// Bad input on every endpoint: the right 4xx, an error body naming the problem, and the store
// exactly as it was. Never a 500.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiErrorSchema } from '@stampede/protocol';
import { badCases, SHA } from './bad-input-cases.ts';
import { archiveBytes, call, storeSnapshot, upload, withApi, type MakeStore } from './harness.ts';
import { startRun } from './suite-runs.ts';

/** Registers the bad-input tests on stores made by `makeStore`. */
export function badInputSuite(makeStore: MakeStore): void {
  describe('bad input', () => {
    test('every endpoint answers bad input with the right 4xx and leaves the store unchanged', () =>
      withApi(makeStore, async (h) => {
        const archive = await upload(h, archiveBytes('export default () => {}', ['127.0.0.1:1']));
        const run = (await startRun(h, { archiveSha256: archive })).json() as { id: string };
        const generator = await h.store.createGenerator({
          name: 'g',
          kind: 'static',
          pool: 'local',
        });
        const wakes = h.runs.wakes;
        for (const c of badCases({ run: run.id, archive, generator: generator.id })) {
          const before = await storeSnapshot(h.store);
          const res = await call(h.app, c.method, c.url, {
            ...(c.token === 'none' ? {} : { token: h.tokens.admin }),
            ...(c.json === undefined ? {} : { json: c.json }),
            ...(c.raw === undefined ? {} : { raw: c.raw }),
            ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
            ...(c.headers === undefined ? {} : { headers: c.headers }),
          });
          assert.equal(res.statusCode, c.status, `${c.name}: ${res.statusCode} ${res.body}`);
          const body = apiErrorSchema.safeParse(JSON.parse(res.body));
          assert.ok(body.success, `${c.name}: error shape ${res.body}`);
          assert.equal(body.data.code, c.code, `${c.name}: ${res.body}`);
          assert.ok(body.data.message.length > 0);
          if (c.says !== undefined) {
            assert.ok(
              body.data.message.includes(c.says),
              `${c.name}: "${body.data.message}" lacks "${c.says}"`,
            );
          }
          assert.equal(await storeSnapshot(h.store), before, `${c.name}: the store changed`);
        }
        assert.equal(h.runs.wakes, wakes);
        assert.equal(h.runs.aborts.length, 0);
        assert.equal(h.pools.terminations.length, 0);
        assert.equal(await h.store.getBundleInfo(SHA), null);
      }));
  });
}
