// Authentication and scopes, generators, API and join tokens, and the audit log, against
// whichever store the caller gives.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  apiErrorSchema,
  apiTokenCreatedSchema,
  apiTokenPageSchema,
  apiTokenViewSchema,
  auditPageSchema,
  generatorPageSchema,
  generatorViewSchema,
  joinTokenCreatedSchema,
  joinTokenPageSchema,
  type GeneratorHealth,
} from '@stampede/protocol';
import { hashToken } from '../../ca/index.ts';
import { call, withApi, type ApiHarness, type MakeStore } from './harness.ts';
import { startRun } from './suite-runs.ts';

const HEALTH: GeneratorHealth = {
  cpuUtilization: 0.5,
  eventLoopDelayP99Ms: 3,
  rssBytes: 1000,
  heapUsedBytes: 500,
  netSentBytes: 0,
  netReceivedBytes: 0,
  saturated: false,
};

function codeOf(body: string): string {
  return apiErrorSchema.parse(JSON.parse(body)).code;
}

/** Registers the auth, generator, token and audit tests on stores made by `makeStore`. */
export function adminSuite(makeStore: MakeStore): void {
  const api = (fn: (h: ApiHarness) => Promise<void>) => () => withApi(makeStore, fn);

  describe('auth, generators, tokens, audit', () => {
    test(
      'no, malformed, unknown or revoked token → 401; missing scope → 403; admin does all',
      api(async (h) => {
        const bad: [Record<string, string>, string][] = [
          [{}, 'missing'],
          [{ authorization: 'Basic dXNlcjpwdw==' }, 'Bearer'],
          [{ authorization: 'Bearer nope' }, 'Bearer'],
          [{ authorization: `Bearer sta_${'A'.repeat(43)}` }, 'unknown'],
        ];
        for (const [headers, words] of bad) {
          const res = await call(h.app, 'GET', '/api/v1/runs', { headers });
          assert.equal(res.statusCode, 401, res.body);
          assert.equal(codeOf(res.body), 'UNAUTHENTICATED');
          assert.match(res.body, new RegExp(words));
        }
        const forbidden: [string, 'GET' | 'POST', string][] = [
          [h.tokens.read, 'POST', '/api/v1/runs'],
          [h.tokens.read, 'POST', '/api/v1/archives'],
          [h.tokens.run, 'GET', '/api/v1/runs'],
          [h.tokens.readRun, 'GET', '/api/v1/audit'],
          [h.tokens.readRun, 'POST', '/api/v1/tokens'],
          [h.tokens.readRun, 'GET', '/api/v1/join-tokens'],
          [h.tokens.readRun, 'POST', '/api/v1/generators/gen_x/terminate'],
        ];
        for (const [token, method, url] of forbidden) {
          const res = await call(h.app, method, url, { token, json: {} });
          assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
          assert.equal(codeOf(res.body), 'FORBIDDEN');
        }
        for (const url of [
          '/api/v1/runs',
          '/api/v1/audit',
          '/api/v1/tokens',
          '/api/v1/generators',
        ]) {
          const res = await call(h.app, 'GET', url, { token: h.tokens.admin });
          assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        }
        const row = await h.store.findApiTokenByHash(hashToken(h.tokens.read));
        assert.ok(row);
        await h.store.revokeApiToken(row.id);
        const revoked = await call(h.app, 'GET', '/api/v1/runs', { token: h.tokens.read });
        assert.equal(revoked.statusCode, 401);
      }),
    );

    test(
      'generators are listed without secrets, filtered, and terminated with an audit entry',
      api(async (h) => {
        const g1 = await h.store.createGenerator({
          name: 'agent-1',
          kind: 'static',
          pool: 'local',
        });
        h.clock.t += 1;
        const g2 = await h.store.createGenerator({ name: 'agent-2', kind: 'static', pool: 'gpu' });
        await h.store.recordHeartbeat(g1.id, JSON.stringify(HEALTH));
        await h.store.recordHeartbeat(g2.id, '{"not":"health"}');
        const list = generatorPageSchema.parse(
          (await call(h.app, 'GET', '/api/v1/generators', { token: h.tokens.read })).json(),
        );
        assert.deepEqual(
          list.items.map((g) => [g.name, g.health]),
          [
            ['agent-1', HEALTH],
            ['agent-2', null],
          ],
        );
        const gpu = generatorPageSchema.parse(
          (
            await call(h.app, 'GET', '/api/v1/generators?pool=gpu&status=idle', {
              token: h.tokens.read,
            })
          ).json(),
        );
        assert.deepEqual(
          gpu.items.map((g) => g.id),
          [g2.id],
        );
        const res = await call(h.app, 'POST', `/api/v1/generators/${g1.id}/terminate`, {
          token: h.tokens.admin,
          json: { reason: 'stuck' },
        });
        assert.equal(res.statusCode, 202, res.body);
        assert.equal(generatorViewSchema.parse(res.json()).status, 'terminating');
        assert.deepEqual(
          h.pools.terminations.map((t) => [t.generatorId, t.reason]),
          [[g1.id, 'stuck']],
        );
        const audit = await h.store.listAudit();
        assert.equal(audit[0]?.action, 'generator.terminate');
        assert.equal(audit[0]?.target, g1.id);
        await h.store.setGeneratorStatus(g1.id, ['terminating'], 'terminated');
        const again = await call(h.app, 'POST', `/api/v1/generators/${g1.id}/terminate`, {
          token: h.tokens.admin,
        });
        assert.equal(again.statusCode, 409);
        assert.equal(h.pools.terminations.length, 1);
        const retired = generatorPageSchema.parse(
          (
            await call(h.app, 'GET', '/api/v1/generators?includeRetired=true', {
              token: h.tokens.read,
            })
          ).json(),
        );
        assert.equal(retired.items.length, 2);
      }),
    );

    test(
      'an API token is shown once, works with its scopes, is listed without secret and revoked',
      api(async (h) => {
        h.clock.t += 1000; // newer than the harness's tokens
        const res = await call(h.app, 'POST', '/api/v1/tokens', {
          token: h.tokens.admin,
          json: { name: 'dashboard', scopes: ['read'] },
        });
        assert.equal(res.statusCode, 201, res.body);
        const created = apiTokenCreatedSchema.parse(res.json());
        assert.deepEqual(created.scopes, ['read']);
        const works = await call(h.app, 'GET', '/api/v1/runs', { token: created.token });
        assert.equal(works.statusCode, 200);
        const cannot = await startRun({ ...h, tokens: { ...h.tokens, readRun: created.token } });
        assert.equal(cannot.statusCode, 403);

        const list = await call(h.app, 'GET', '/api/v1/tokens', { token: h.tokens.admin });
        assert.equal(list.statusCode, 200);
        assert.ok(!list.body.includes(created.token));
        assert.ok(!list.body.includes(hashToken(created.token)));
        const page = apiTokenPageSchema.parse(list.json());
        assert.equal(page.items[0]?.name, 'dashboard');

        const revoke = await call(h.app, 'POST', `/api/v1/tokens/${created.id}/revoke`, {
          token: h.tokens.admin,
        });
        assert.equal(revoke.statusCode, 200);
        assert.notEqual(apiTokenViewSchema.parse(revoke.json()).revokedAtMs, null);
        const after = await call(h.app, 'GET', '/api/v1/runs', { token: created.token });
        assert.equal(after.statusCode, 401);

        const other = apiTokenCreatedSchema.parse(
          (
            await call(h.app, 'POST', '/api/v1/tokens', {
              token: h.tokens.admin,
              json: { name: 'ci-deploy', scopes: ['read', 'run'] },
            })
          ).json(),
        );
        const del = await call(h.app, 'DELETE', `/api/v1/tokens/${other.id}`, {
          token: h.tokens.admin,
        });
        assert.equal(del.statusCode, 200);
        const actions = (await h.store.listAudit()).map((a) => a.action);
        assert.deepEqual(actions.slice(0, 4), [
          'token.revoke',
          'token.create',
          'token.revoke',
          'token.create',
        ]);
      }),
    );

    test(
      'a join token is shown once, expires, and is listed with its state',
      api(async (h) => {
        const empty = await call(h.app, 'POST', '/api/v1/join-tokens', { token: h.tokens.admin });
        assert.equal(empty.statusCode, 201, empty.body);
        const first = joinTokenCreatedSchema.parse(empty.json());
        assert.equal(first.name, 'agent');
        assert.equal(first.expiresAtMs, h.clock.t + 3_600_000);
        const named = joinTokenCreatedSchema.parse(
          (
            await call(h.app, 'POST', '/api/v1/join-tokens', {
              token: h.tokens.admin,
              json: { name: 'rack-7', ttlMs: 60_000 },
            })
          ).json(),
        );
        assert.equal(named.expiresAtMs, h.clock.t + 60_000);
        await h.store.consumeJoinToken(hashToken(first.token));
        h.clock.t += 120_000;
        const list = await call(h.app, 'GET', '/api/v1/join-tokens', { token: h.tokens.admin });
        assert.ok(!list.body.includes(first.token));
        const states = joinTokenPageSchema
          .parse(list.json())
          .items.map((t) => [t.name, t.state])
          .sort();
        assert.deepEqual(states, [
          ['agent', 'used'],
          ['rack-7', 'expired'],
        ]);
        assert.equal((await h.store.listAudit())[0]?.action, 'join-token.create');
      }),
    );

    test(
      'the audit log pages back by cursor',
      api(async (h) => {
        for (let i = 0; i < 3; i++) {
          await h.store.appendAudit({
            actor: 'x',
            action: `a${i}`,
            target: 't',
            detailsJson: '{"i":1}',
          });
        }
        const first = auditPageSchema.parse(
          (await call(h.app, 'GET', '/api/v1/audit?limit=2', { token: h.tokens.admin })).json(),
        );
        assert.deepEqual(
          first.items.map((a) => a.action),
          ['a2', 'a1'],
        );
        assert.deepEqual(first.items[0]?.details, { i: 1 });
        assert.ok(first.nextCursor);
        const second = auditPageSchema.parse(
          (
            await call(h.app, 'GET', `/api/v1/audit?limit=2&cursor=${first.nextCursor}`, {
              token: h.tokens.admin,
            })
          ).json(),
        );
        assert.deepEqual(
          second.items.map((a) => a.action),
          ['a0'],
        );
        assert.equal(second.nextCursor, null);
      }),
    );
  });
}
