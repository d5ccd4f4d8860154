// Join tokens (single use, short-lived, for enrollment) and API tokens (for people and CI).
// Only the SHA-256 hash of a token is stored; the token itself is shown once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CaError } from './errors.ts';

/** Prefix of join tokens. */
export const JOIN_TOKEN_PREFIX = 'stj_';
/** Prefix of API tokens. */
export const API_TOKEN_PREFIX = 'sta_';
/** Random bytes in a token (256 bits of entropy). */
export const TOKEN_RANDOM_BYTES = 32;

const TOKEN_BODY = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes, no padding
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** A freshly minted join token: `token` goes to the operator once, `hash` and `expiresAtMs` to the store. */
export interface JoinToken {
  token: string;
  hash: string;
  expiresAtMs: number;
}

/** A freshly minted API token: `token` goes to the user once, `hash` to the store. */
export interface ApiToken {
  token: string;
  hash: string;
}

/** What the store keeps about a join token; `usedAtMs` is set (atomically, by the store) on redemption. */
export interface JoinTokenRecord {
  hash: string;
  expiresAtMs: number;
  usedAtMs?: number | null | undefined;
}

function mint(prefix: string): string {
  return prefix + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url');
}

/** Returns the SHA-256 of a token as lowercase hex (64 chars), the form stored at rest. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two SHA-256 hex digests in constant time; false for anything that is not 64 hex chars. */
export function tokenHashEquals(a: string, b: string): boolean {
  if (!HEX_SHA256.test(a) || !HEX_SHA256.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** Hashes `token` and compares it with `expectedHash` in constant time. */
export function verifyToken(token: string, expectedHash: string): boolean {
  return tokenHashEquals(hashToken(token), expectedHash);
}

/** Throws INVALID_TOKEN unless `token` is `prefix` followed by 43 base64url chars (32 random bytes). */
export function assertTokenFormat(token: unknown, prefix: string): asserts token is string {
  if (
    typeof token !== 'string' ||
    !token.startsWith(prefix) ||
    !TOKEN_BODY.test(token.slice(prefix.length))
  ) {
    throw new CaError('INVALID_TOKEN', `malformed token: expected ${prefix}<43 base64url chars>`);
  }
}

/** Mints a join token valid for `validityMs` ms from `nowMs` (Unix epoch ms). */
export function createJoinToken(validityMs: number, nowMs: number = Date.now()): JoinToken {
  if (!Number.isFinite(validityMs) || validityMs <= 0) {
    throw new CaError('INVALID_VALIDITY', 'join token validityMs must be a positive number', {
      validityMs,
    });
  }
  const token = mint(JOIN_TOKEN_PREFIX);
  return { token, hash: hashToken(token), expiresAtMs: nowMs + validityMs };
}

/** Mints an API token (no expiry here; the store may add one). */
export function createApiToken(): ApiToken {
  const token = mint(API_TOKEN_PREFIX);
  return { token, hash: hashToken(token) };
}

/** Throws TOKEN_USED or TOKEN_EXPIRED for a stored join token that cannot be redeemed at `nowMs` (epoch ms). */
export function checkJoinToken(record: JoinTokenRecord, nowMs: number): void {
  if (record.usedAtMs !== undefined && record.usedAtMs !== null) {
    throw new CaError('TOKEN_USED', 'join token was already used', { usedAtMs: record.usedAtMs });
  }
  if (nowMs >= record.expiresAtMs) {
    throw new CaError('TOKEN_EXPIRED', 'join token has expired', {
      expiresAtMs: record.expiresAtMs,
    });
  }
}
