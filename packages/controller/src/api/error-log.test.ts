// Issue 19 item 3: a 5xx is logged with its request id, route and stack (never the body or the
// token), and the answer carries the same request id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiErrorSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import type { FastifyPluginAsync } from 'fastify';
import type { ControllerLog } from '../scheduler/log.ts';
import { call, withApi, type MakeStore } from './testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

const SECRET = 'body-secret-4242';

const failing: FastifyPluginAsync = async (app) => {
  app.post('/test/boom/:id', async () => {
    throw new Error('kaboom in the handler');
  });
};

test('item 3: a 500 is logged with request id, route and stack, and the answer names the id', async () => {
  const lines: string[] = [];
  const log: ControllerLog = {
    info: () => {},
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
  };
  await withApi(
    sqlite,
    async (h) => {
      const res = await call(h.app, 'POST', '/test/boom/x1', {
        token: h.tokens.admin,
        json: { secret: SECRET },
      });
      assert.equal(res.statusCode, 500);
      const body = apiErrorSchema.parse(res.json());
      assert.equal(body.code, 'INTERNAL');
      const requestId = body.details['requestId'];
      assert.equal(typeof requestId, 'string');
      assert.match(body.message, new RegExp(`request ${String(requestId)}`));
      assert.equal(lines.length, 1, lines.join('\n'));
      const line = lines[0] ?? '';
      assert.ok(line.includes(String(requestId)), line);
      assert.ok(line.includes('POST /test/boom/:id'), line);
      assert.match(line, /kaboom in the handler\n\s+at /);
      assert.ok(!line.includes(SECRET), 'no body in the log');
      assert.ok(!line.includes(h.tokens.admin), 'no token in the log');
      // 4xx are the caller's business: not logged as failures.
      const bad = await call(h.app, 'GET', '/api/v1/runs?limit=x', { token: h.tokens.read });
      assert.equal(bad.statusCode, 400);
      assert.equal(lines.length, 1);
    },
    { app: { log, plugins: [failing] } },
  );
});
