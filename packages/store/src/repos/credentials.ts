import { StoreError, isStoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ApiToken, JoinToken, RevokedCertificate } from '../model.ts';
import {
  assertInt,
  assertText,
  num,
  numOrNull,
  str,
  toApiToken,
  toJoinToken,
  type StoreContext,
} from '../rows.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

function assertHash(hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) {
    throw new StoreError('INVALID_INPUT', 'tokenHash must be a lowercase SHA-256 hex digest');
  }
}

function duplicateHash(err: unknown): unknown {
  return isStoreError(err, 'CONFLICT')
    ? new StoreError('CONFLICT', 'a token with this hash exists')
    : err;
}

/** Stores a join token's hash. */
export async function createJoinToken(
  c: StoreContext,
  input: { name: string; tokenHash: string; expiresAtMs: number },
): Promise<JoinToken> {
  assertText(input.name, 'name');
  assertHash(input.tokenHash);
  assertInt(input.expiresAtMs, 'expiresAtMs');
  const nowMs = c.clock.nowMs();
  try {
    const { rows } = await c.db.run((ex) =>
      ex.query(
        `INSERT INTO join_tokens (id, name, token_hash, created_at_ms, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [newId('jtk', nowMs), input.name, input.tokenHash, nowMs, input.expiresAtMs],
      ),
    );
    return toJoinToken(rows[0] ?? {});
  } catch (err) {
    throw duplicateHash(err);
  }
}

/** Uses a join token once. */
export async function consumeJoinToken(c: StoreContext, tokenHash: string): Promise<JoinToken> {
  assertHash(tokenHash);
  const nowMs = c.clock.nowMs();
  return c.db.transaction(async (tx) => {
    const { rows } = await tx.query(
      `UPDATE join_tokens SET used_at_ms = $2
       WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2 RETURNING *`,
      [tokenHash, nowMs],
    );
    if (rows[0]) return toJoinToken(rows[0]);
    const found = await tx.query('SELECT * FROM join_tokens WHERE token_hash = $1', [tokenHash]);
    const row = found.rows[0];
    if (!row) throw new StoreError('NOT_FOUND', 'unknown join token');
    const token = toJoinToken(row);
    if (token.usedAtMs !== null) {
      throw new StoreError('CONFLICT', `join token ${token.name} was already used`, {
        id: token.id,
      });
    }
    throw new StoreError('INVALID_STATE', `join token ${token.name} expired`, {
      id: token.id,
      expiresAtMs: token.expiresAtMs,
    });
  });
}

/** All join tokens, newest first. */
export async function listJoinTokens(c: StoreContext): Promise<JoinToken[]> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM join_tokens ORDER BY created_at_ms DESC, id DESC'),
  );
  return rows.map(toJoinToken);
}

/** Stores an API token's hash. */
export async function createApiToken(
  c: StoreContext,
  input: { name: string; tokenHash: string; scopes: string[] },
): Promise<ApiToken> {
  assertText(input.name, 'name');
  assertHash(input.tokenHash);
  if (!Array.isArray(input.scopes) || !input.scopes.every((s) => typeof s === 'string')) {
    throw new StoreError('INVALID_INPUT', 'scopes must be an array of strings');
  }
  const nowMs = c.clock.nowMs();
  try {
    const { rows } = await c.db.run((ex) =>
      ex.query(
        `INSERT INTO api_tokens (id, name, token_hash, scopes_json, created_at_ms)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [newId('atk', nowMs), input.name, input.tokenHash, JSON.stringify(input.scopes), nowMs],
      ),
    );
    return toApiToken(rows[0] ?? {});
  } catch (err) {
    if (!isStoreError(err, 'CONFLICT')) throw err;
    const { rows } = await c.db.run((ex) =>
      ex.query('SELECT id FROM api_tokens WHERE name = $1 AND revoked_at_ms IS NULL', [input.name]),
    );
    if (rows[0] === undefined) throw duplicateHash(err);
    throw new StoreError('CONFLICT', `an API token named ${JSON.stringify(input.name)} exists`, {
      name: input.name,
      id: str(rows[0], 'id'),
    });
  }
}

/** The unrevoked API token with this hash, or null. */
export async function findApiTokenByHash(
  c: StoreContext,
  tokenHash: string,
): Promise<ApiToken | null> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at_ms IS NULL', [
      tokenHash,
    ]),
  );
  return rows[0] ? toApiToken(rows[0]) : null;
}

/** Revokes an API token, keeping the first revocation time. */
export async function revokeApiToken(c: StoreContext, id: string): Promise<ApiToken> {
  const { rows } = await c.db.run((ex) =>
    ex.query(
      `UPDATE api_tokens SET revoked_at_ms = COALESCE(revoked_at_ms, $2) WHERE id = $1 RETURNING *`,
      [id, c.clock.nowMs()],
    ),
  );
  if (!rows[0]) throw new StoreError('NOT_FOUND', `no API token ${id}`, { id });
  return toApiToken(rows[0]);
}

/** All API tokens, newest first. */
export async function listApiTokens(c: StoreContext): Promise<ApiToken[]> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM api_tokens ORDER BY created_at_ms DESC, id DESC'),
  );
  return rows.map(toApiToken);
}

/** Revokes a certificate serial, idempotently. */
export async function revokeCertificate(
  c: StoreContext,
  serial: string,
): Promise<RevokedCertificate> {
  assertText(serial, 'serial');
  return c.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO revoked_certificates (serial, revoked_at_ms) VALUES ($1, $2)
       ON CONFLICT (serial) DO NOTHING`,
      [serial, c.clock.nowMs()],
    );
    const { rows } = await tx.query('SELECT * FROM revoked_certificates WHERE serial = $1', [
      serial,
    ]);
    const row = rows[0] ?? {};
    return { serial: str(row, 'serial'), revokedAtMs: num(row, 'revoked_at_ms') };
  });
}

/** Whether the serial is revoked. */
export async function isCertificateRevoked(c: StoreContext, serial: string): Promise<boolean> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT revoked_at_ms FROM revoked_certificates WHERE serial = $1', [serial]),
  );
  return rows[0] !== undefined && numOrNull(rows[0], 'revoked_at_ms') !== null;
}

/** All revoked serials, oldest first. */
export async function listRevokedCertificates(c: StoreContext): Promise<RevokedCertificate[]> {
  const { rows } = await c.db.run((ex) =>
    ex.query('SELECT * FROM revoked_certificates ORDER BY revoked_at_ms, serial'),
  );
  return rows.map((r) => ({ serial: str(r, 'serial'), revokedAtMs: num(r, 'revoked_at_ms') }));
}
