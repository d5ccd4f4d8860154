import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_ERROR_CODES } from '@stampede/protocol';
import { StoreError } from '@stampede/store';
import { z } from 'zod';
import { CaError } from '../ca/index.ts';
import { ApiError, HTTP_STATUS_BY_CODE, formatIssuePath, toErrorReply } from './errors.ts';

test('every API error code has one status', () => {
  assert.deepEqual(Object.keys(HTTP_STATUS_BY_CODE).sort(), [...API_ERROR_CODES].sort());
  for (const code of API_ERROR_CODES) {
    assert.ok(
      [400, 401, 403, 404, 408, 409, 413, 415, 417, 422, 431, 500, 503].includes(
        HTTP_STATUS_BY_CODE[code],
      ),
    );
  }
});

test('store, CA, API and zod errors map to their status with their code', () => {
  const cases: [unknown, number, string][] = [
    [new StoreError('NOT_FOUND', 'no run x', { id: 'x' }), 404, 'NOT_FOUND'],
    [new StoreError('CONFLICT', 'dup'), 409, 'CONFLICT'],
    [new StoreError('INVALID_STATE', 'cas'), 409, 'INVALID_STATE'],
    [new StoreError('INVALID_INPUT', 'bad cursor'), 400, 'INVALID_INPUT'],
    [new StoreError('UNAVAILABLE', 'down'), 503, 'UNAVAILABLE'],
    [new StoreError('SCHEMA_TOO_NEW', 'newer'), 500, 'INTERNAL'],
    [new StoreError('INTERNAL', 'relation "runs" does not exist'), 500, 'INTERNAL'],
    [new CaError('TOKEN_USED', 'used'), 401, 'TOKEN_USED'],
    [new CaError('CERT_REVOKED', 'revoked'), 403, 'CERT_REVOKED'],
    [new CaError('INVALID_CSR', 'bad csr'), 422, 'INVALID_CSR'],
    [new CaError('INVALID_CA', 'broken'), 500, 'INTERNAL'],
    [new ApiError('TARGET_NOT_ALLOWED', 'no'), 422, 'TARGET_NOT_ALLOWED'],
    [z.object({ a: z.number() }).safeParse({ a: 'x' }).error, 400, 'INVALID_REQUEST'],
  ];
  for (const [err, status, code] of cases) {
    const reply = toErrorReply(err);
    assert.equal(reply.statusCode, status, code);
    assert.equal(reply.body.code, code);
  }
  assert.deepEqual(toErrorReply(new StoreError('NOT_FOUND', 'no run x', { id: 'x' })).body, {
    code: 'NOT_FOUND',
    message: 'no run x',
    details: { id: 'x' },
  });
});

test("fastify's request errors keep their meaning; anything else is a 500 without internals", () => {
  const fst = (code: string, statusCode: number) =>
    Object.assign(new Error('fastify says no'), { code, statusCode });
  const tooLarge = toErrorReply(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413), 1024);
  assert.equal(tooLarge.statusCode, 413);
  assert.deepEqual(tooLarge.body.details, { limitBytes: 1024 });
  assert.equal(toErrorReply(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).statusCode, 415);
  assert.equal(toErrorReply(fst('FST_ERR_CTP_INVALID_JSON_BODY', 400)).body.code, 'MALFORMED_JSON');
  assert.equal(toErrorReply(fst('FST_ERR_SOMETHING_NEW', 409)).body.code, 'CONFLICT');
  const internal = toErrorReply(new TypeError('x.y is undefined'));
  assert.equal(internal.statusCode, 500);
  assert.doesNotMatch(internal.body.message, /x\.y/);
  assert.equal(toErrorReply('a string').statusCode, 500);
  const store = toErrorReply(new StoreError('INTERNAL', 'relation "runs" does not exist'));
  assert.doesNotMatch(store.body.message, /relation/);
});

test('issue paths read as people write them', () => {
  assert.equal(
    formatIssuePath('body', ['overrides', 'stages', 0, 'target']),
    'body.overrides.stages[0].target',
  );
  assert.equal(formatIssuePath('body', ['env', 'BAD NAME']), 'body.env["BAD NAME"]');
  assert.equal(formatIssuePath('query', []), 'query');
});
