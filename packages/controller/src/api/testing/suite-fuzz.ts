// A bounded fuzzer of the REST API (issue 19): for every operation, a few hundred requests from
// a fixed seed (wrong types, deep and huge bodies, bad ids, bad query values, every token kind).
// Never a 5xx, never a hang, health answering throughout, and a rejected request changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_PREFIX, apiErrorSchema } from '@stampede/protocol';
import { API_ROUTES } from '../index.ts';
import { archiveBytes, call, storeSnapshot, upload, withApi, type MakeStore } from './harness.ts';
import { deepArrayJson, deepObjectJson } from './suite-hardening.ts';

/** Requests per operation. */
export const FUZZ_REQUESTS_PER_OPERATION = 200;
const SEED = 0x5eed_0019;
const HANG_MS = 15_000;

/** A small seeded PRNG (mulberry32): the same requests on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const STRINGS = [
  '',
  'x',
  'local',
  'queued',
  'queued,,running',
  '0',
  '-1',
  '1e2',
  '0x10',
  '9'.repeat(40),
  'true',
  'null',
  '\u0000',
  '%00',
  '../../etc/passwd',
  'é✓🐎',
  'a'.repeat(300),
  Buffer.from(JSON.stringify([1e400, 'x'])).toString('base64url'),
  Buffer.from(JSON.stringify([1, 'run\u0000x'])).toString('base64url'),
];

function randomValue(r: Rand, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 4 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1, 1.5, 1e308, -0, 2 ** 53 + 1, 65_536]);
    case 3:
    case 4:
      return pick(r, STRINGS);
    case 5:
      return pick(r, [[], {}, 'sta_' + 'A'.repeat(43)]);
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const keys = ['name', 'scopes', 'archiveSha256', 'generators', 'overrides', 'env', 'labels'];
      const more = ['pool', 'reason', 'vus', 'durationMs', 'ratePerSec', 'stages', '__proto__'];
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) {
        o[pick(r, [...keys, ...more])] = randomValue(r, depth + 1);
      }
      return o;
    }
  }
}

/** Ids of real rows the fuzzer aims at besides random ones. */
export interface FuzzIds {
  run: string;
  archive: string;
  generator: string;
  token: string;
}

function fillPath(r: Rand, url: string, ids: FuzzIds): string {
  return url.replace(/:(\w+)/g, (_, name: string) => {
    if (r() < 0.4) {
      const real = name === 'sha256' ? ids.archive : pick(r, [ids.run, ids.generator, ids.token]);
      return real;
    }
    return encodeURIComponent(pick(r, STRINGS)) || 'x';
  });
}

function randomQuery(r: Rand): string {
  const keys = ['status', 'limit', 'cursor', 'afterId', 'pool', 'runId', 'includeRetired', 'x'];
  const parts: string[] = [];
  for (let i = Math.floor(r() * 3); i > 0; i--) {
    parts.push(`${pick(r, keys)}=${encodeURIComponent(pick(r, STRINGS))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function randomBody(
  r: Rand,
  ids: FuzzIds,
): { json?: unknown; raw?: string | Buffer; contentType?: string } {
  const k = Math.floor(r() * 10);
  if (k === 0) return {};
  if (k === 1) return { raw: '{"a":', contentType: 'application/json' };
  if (k === 2) {
    const deep = r() < 0.5 ? deepObjectJson(5_000) : deepArrayJson(5_000);
    return {
      raw: `{"archiveSha256":"${ids.archive}","overrides":{"x":${deep}},"name":${deep}}`,
      contentType: 'application/json',
    };
  }
  if (k === 3) return { raw: 'x'.repeat(1_100_000), contentType: 'application/json' };
  if (k === 4)
    return {
      raw: archiveBytes(),
      contentType: pick(r, ['text/plain', 'application/octet-stream']),
    };
  if (k === 5) {
    return {
      json: {
        archiveSha256: ids.archive,
        overrides: randomValue(r),
        pool: pick(r, ['local', 'nowhere', '']),
      },
    };
  }
  return { json: randomValue(r) };
}

/** One request of the fuzz mix. */
export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  token: string | undefined;
  json?: unknown;
  raw?: string | Buffer;
  contentType?: string;
}

/** The next request of the fuzz mix for `route` (a route of API_ROUTES). */
export function fuzzRequest(
  r: Rand,
  route: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string },
  ids: FuzzIds,
  tokens: readonly (string | undefined)[],
): FuzzRequest {
  const url = `${API_PREFIX}${fillPath(r, route.url, ids)}${randomQuery(r)}`;
  const body = route.method === 'GET' ? {} : randomBody(r, ids);
  return { method: route.method, url, token: pick(r, tokens), ...body };
}

/** Registers the fuzz test on stores made by `makeStore`. */
export function fuzzSuite(makeStore: MakeStore): void {
  test('fuzz: every operation, fixed seed: no 5xx, no hang, health answers, refusals change nothing', () =>
    withApi(
      makeStore,
      async (h) => {
        const r = seededRandom(SEED);
        const archive = await upload(h, archiveBytes('export default () => {}', ['127.0.0.1:1']));
        const run = await call(h.app, 'POST', '/api/v1/runs', {
          token: h.tokens.run,
          json: { archiveSha256: archive },
        });
        const generator = await h.store.createGenerator({
          name: 'g',
          kind: 'static',
          pool: 'local',
        });
        // The fuzzer may revoke this one, never the tokens it calls with.
        const token = (
          await h.store.createApiToken({
            name: 'victim',
            tokenHash: 'f'.repeat(64),
            scopes: ['read'],
          })
        ).id;
        const ids: FuzzIds = {
          run: (run.json() as { id: string }).id,
          archive,
          generator: generator.id,
          token,
        };
        const tokens = [
          undefined,
          'sta_' + 'Z'.repeat(43),
          'garbage',
          h.tokens.read,
          h.tokens.run,
          h.tokens.admin,
        ];
        let before = await storeSnapshot(h.store);
        for (const route of API_ROUTES) {
          for (let i = 0; i < FUZZ_REQUESTS_PER_OPERATION; i++) {
            const { method, url, token: tok, ...body } = fuzzRequest(r, route, ids, tokens);
            const what = `${method} ${url.slice(0, 200)}`;
            let timer: NodeJS.Timeout | undefined;
            const res = await Promise.race([
              call(h.app, method, url, {
                ...(tok === undefined ? {} : { token: tok }),
                ...body,
              }),
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new Error(`hang: ${what}`)), HANG_MS);
              }),
            ]).finally(() => clearTimeout(timer));
            assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
            const after = await storeSnapshot(h.store);
            if (res.statusCode >= 400) {
              assert.ok(apiErrorSchema.safeParse(JSON.parse(res.body)).success, `${what}: shape`);
              assert.equal(
                after,
                before,
                `${what}: a refused request (${res.statusCode}) changed the store`,
              );
            }
            before = after;
          }
          const health = await call(h.app, 'GET', '/api/v1/health');
          assert.equal(health.statusCode, 200, `health after ${route.operationId}`);
          // Runs and audit stay listable whatever was stored.
          for (const path of ['/api/v1/runs', '/api/v1/audit']) {
            const list = await call(h.app, 'GET', path, { token: h.tokens.admin });
            assert.equal(
              list.statusCode,
              200,
              `${path} after ${route.operationId}: ${list.body.slice(0, 200)}`,
            );
          }
        }
      },
      { config: { maxArchiveBytes: 256 * 1024 } },
    ));
}
