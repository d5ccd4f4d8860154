// Bearer-token authentication of the REST API. Tokens are looked up by their SHA-256 (only the
// hash is stored); `admin` implies every scope.
import { API_SCOPES, type ApiScope } from '@stampede/protocol';
import type { IncomingHttpHeaders } from 'node:http';
import { API_TOKEN_PREFIX, hashToken } from '../ca/index.ts';
import type { ControllerServices } from '../services.ts';
import { ApiError } from './errors.ts';

/** Who made a request: the API token's id, name and scopes; `actor` is what audit entries and runs record. */
export interface Caller {
  tokenId: string;
  name: string;
  scopes: ApiScope[];
  actor: string;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const API_TOKEN = /^sta_[A-Za-z0-9_-]{43}$/;

/** The name recorded as the actor of what a token did: "name (id)". */
export function actorOf(token: { id: string; name: string }): string {
  return `${token.name} (${token.id})`;
}

/** Whether scopes `granted` allow what needs `required`. */
export function hasScope(granted: readonly string[], required: ApiScope): boolean {
  return granted.includes('admin') || granted.includes(required);
}

/** Finds the caller of a request: 401 without a valid, unrevoked token, 403 without the scope. */
export async function authenticate(
  services: ControllerServices,
  headers: IncomingHttpHeaders,
  required: ApiScope,
): Promise<Caller> {
  const header = headers.authorization;
  if (header === undefined || header === '') {
    throw new ApiError('UNAUTHENTICATED', `missing "Authorization: Bearer ${API_TOKEN_PREFIX}…"`);
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined || !API_TOKEN.test(token)) {
    throw new ApiError(
      'UNAUTHENTICATED',
      `Authorization must be "Bearer ${API_TOKEN_PREFIX}" followed by 43 base64url characters`,
    );
  }
  const row = await services.store.findApiTokenByHash(hashToken(token));
  if (row === null) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked API token');
  if (!hasScope(row.scopes, required)) {
    throw new ApiError('FORBIDDEN', `token ${row.name} lacks the "${required}" scope`, {
      required,
      granted: row.scopes,
    });
  }
  const scopes = API_SCOPES.filter((s) => row.scopes.includes(s));
  return { tokenId: row.id, name: row.name, scopes, actor: actorOf(row) };
}
