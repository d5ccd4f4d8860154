import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  API_TOKEN_PREFIX,
  JOIN_TOKEN_PREFIX,
  assertTokenFormat,
  checkJoinToken,
  createApiToken,
  createJoinToken,
  hashToken,
  tokenHashEquals,
  verifyToken,
} from './tokens.ts';
import { CaError } from './errors.ts';

function code(c: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CaError);
    assert.equal(err.code, c);
    return true;
  };
}

test('join tokens: prefix, entropy, stable hash, expiry time', () => {
  const t = createJoinToken(600_000, 1_000_000);
  assert.match(t.token, /^stj_[A-Za-z0-9_-]{43}$/);
  assert.equal(t.expiresAtMs, 1_600_000);
  assert.equal(t.hash, hashToken(t.token));
  assert.equal(hashToken(t.token), hashToken(t.token));
  assert.match(t.hash, /^[0-9a-f]{64}$/);
  // Known vector: the hash is plain SHA-256 of the token string, so stores stay portable.
  assert.equal(
    hashToken('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  const tokens = new Set(Array.from({ length: 100 }, () => createJoinToken(1).token));
  assert.equal(tokens.size, 100);
  assert.doesNotThrow(() => assertTokenFormat(t.token, JOIN_TOKEN_PREFIX));
  assert.throws(() => createJoinToken(0), code('INVALID_VALIDITY'));
});

test('join tokens: checkJoinToken rejects used and expired tokens', () => {
  const t = createJoinToken(1000, 5000);
  const record = { hash: t.hash, expiresAtMs: t.expiresAtMs };
  assert.doesNotThrow(() => checkJoinToken(record, 5999));
  assert.throws(() => checkJoinToken(record, 6000), code('TOKEN_EXPIRED'));
  assert.throws(() => checkJoinToken({ ...record, usedAtMs: 5500 }, 5600), code('TOKEN_USED'));
  assert.doesNotThrow(() => checkJoinToken({ ...record, usedAtMs: null }, 5600));
});

test('tokens: malformed tokens are rejected', () => {
  const good = createJoinToken(1000).token;
  for (const bad of [
    '',
    'stj_',
    good.slice(0, -1),
    good + 'A',
    good.replace('stj_', 'sta_'),
    'stj_' + '!'.repeat(43),
    ` ${good}`,
    undefined,
    42,
  ]) {
    assert.throws(
      () => assertTokenFormat(bad, JOIN_TOKEN_PREFIX),
      code('INVALID_TOKEN'),
      String(bad),
    );
  }
});

test('API tokens and constant-time comparison', () => {
  const a = createApiToken();
  assert.match(a.token, /^sta_[A-Za-z0-9_-]{43}$/);
  assert.doesNotThrow(() => assertTokenFormat(a.token, API_TOKEN_PREFIX));
  assert.ok(verifyToken(a.token, a.hash));
  assert.ok(!verifyToken(createApiToken().token, a.hash));
  assert.ok(tokenHashEquals(a.hash, a.hash));
  assert.ok(!tokenHashEquals(a.hash, a.hash.slice(0, 63)));
  assert.ok(!tokenHashEquals(a.hash, a.hash.toUpperCase()));
  assert.ok(!tokenHashEquals('zz', 'zz'));
});
