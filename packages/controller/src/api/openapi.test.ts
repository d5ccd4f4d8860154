import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '@stampede/store';
import Fastify from 'fastify';
import { API_ROUTES, apiPlugin } from './index.ts';
import { openApiPath } from './openapi.ts';
import { withApi, type MakeStore } from './testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

test('the OpenAPI document is served without a token and lists every route', () =>
  withApi(sqlite, async (h) => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const doc = JSON.parse(res.body) as Doc;
    assert.equal(doc.openapi, '3.1.0');

    // Every route the server mounts under /api/v1 is documented, and nothing else.
    const mounted: string[] = [];
    const bare = Fastify();
    bare.addHook('onRoute', (r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      for (const m of methods) if (m !== 'HEAD') mounted.push(`${m} ${r.url}`);
    });
    await bare.register(apiPlugin(h.services));
    await bare.ready();
    await bare.close();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const mountedAsOpenApi = mounted.map((m) => {
      const [method, url] = m.split(' ');
      return `${method} ${openApiPath((url ?? '').replace(/^\/api\/v1/, ''))}`;
    });
    assert.deepEqual([...documented].sort(), [...mountedAsOpenApi].sort());
    assert.equal(documented.length, API_ROUTES.length);
    for (const must of [
      'GET /api/v1/health',
      'GET /api/v1/openapi.json',
      'POST /api/v1/archives',
      'POST /api/v1/runs',
      'GET /api/v1/runs',
      'GET /api/v1/runs/{id}',
      'GET /api/v1/runs/{id}/transitions',
      'GET /api/v1/runs/{id}/logs',
      'GET /api/v1/runs/{id}/live',
      'GET /api/v1/runs/{id}/summary',
      'POST /api/v1/runs/{id}/abort',
      'GET /api/v1/generators',
      'POST /api/v1/generators/{id}/terminate',
      'POST /api/v1/tokens',
      'GET /api/v1/tokens',
      'POST /api/v1/tokens/{id}/revoke',
      'DELETE /api/v1/tokens/{id}',
      'POST /api/v1/join-tokens',
      'GET /api/v1/join-tokens',
      'GET /api/v1/audit',
    ]) {
      assert.ok(documented.includes(must), must);
    }

    const ids = new Set<string>();
    for (const route of API_ROUTES) {
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      assert.ok(op, `${route.method} ${route.url}`);
      assert.ok(!ids.has(route.operationId), `duplicate operationId ${route.operationId}`);
      ids.add(route.operationId);
      const responses = op['responses'] as Record<
        string,
        { content?: Record<string, { schema?: unknown }> }
      >;
      const ok = responses[String(route.status)]?.content?.['application/json']?.schema;
      assert.ok(ok && typeof ok === 'object', `${route.operationId}: success schema`);
      if (route.scope !== null) {
        assert.ok(responses['401'] && responses['403'], `${route.operationId}: 401/403`);
        assert.deepEqual(op['security'], [{ bearerToken: [] }]);
      }
      if (route.body !== undefined || route.binaryBody) {
        assert.ok(op['requestBody'], `${route.operationId}: request body`);
      }
      const params = (op['parameters'] ?? []) as { name: string; in: string }[];
      for (const name of [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1])) {
        assert.ok(
          params.some((p) => p.in === 'path' && p.name === name),
          `${route.operationId}: ${name}`,
        );
      }
    }
    const runCreate = doc.paths['/api/v1/runs']?.['post']?.['requestBody'] as {
      required: boolean;
      content: Record<string, { schema: { required: string[] } }>;
    };
    assert.equal(runCreate.required, true);
    assert.deepEqual(runCreate.content['application/json']?.schema.required, ['archiveSha256']);
    const listRuns = doc.paths['/api/v1/runs']?.['get']?.['parameters'] as { name: string }[];
    assert.deepEqual(
      listRuns.map((p) => p.name),
      ['status', 'projectId', 'label', 'limit', 'cursor'],
    );
    for (const ref of refs(doc)) {
      const name = ref.replace('#/components/schemas/', '');
      assert.ok(doc.components.schemas[name], `dangling ${ref}`);
    }
    assert.ok(doc.components.securitySchemes['bearerToken']);
  }));
