// API tokens (for people and CI) and join tokens (single use, for agent enrollment). Secrets are
// shown once in the creation answer; only their SHA-256 is stored.
import {
  DEFAULT_JOIN_TOKEN_TTL_MS,
  apiTokenCreateSchema,
  apiTokenCreatedSchema,
  apiTokenPageSchema,
  apiTokenViewSchema,
  idParamsSchema,
  joinTokenCreateSchema,
  joinTokenCreatedSchema,
  joinTokenPageSchema,
} from '@stampede/protocol';
import { createApiToken, createJoinToken } from '../ca/index.ts';
import type { ControllerServices } from '../services.ts';
import type { Caller } from './auth.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { toApiTokenView, toJoinTokenView } from './views.ts';

/** Name of a join token created without one. */
export const DEFAULT_JOIN_TOKEN_NAME = 'agent';

async function revoke(services: ControllerServices, caller: Caller, id: string) {
  // Revoking is idempotent: a revoked token is shown as it is, with no second audit entry.
  const earlier = (await services.store.listApiTokens()).find((t) => t.id === id);
  if (earlier !== undefined && earlier.revokedAtMs !== null) return toApiTokenView(earlier);
  const token = await services.store.revokeApiToken(id);
  await services.store.appendAudit({
    actor: caller.actor,
    action: 'token.revoke',
    target: token.id,
    detailsJson: JSON.stringify({ name: token.name }),
  });
  return toApiTokenView(token);
}

/** Routes of /api/v1/tokens and /api/v1/join-tokens. */
export const tokenRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'POST',
    url: '/tokens',
    operationId: 'createApiToken',
    summary: 'Create an API token; the answer shows the token once',
    tag: 'tokens',
    scope: 'admin',
    body: apiTokenCreateSchema,
    status: 201,
    response: apiTokenCreatedSchema,
    errors: [400, 409, 413, 415],
    async handler({ body, caller, services }) {
      const minted = createApiToken();
      const row = await services.store.createApiToken({
        name: body.name,
        tokenHash: minted.hash,
        scopes: body.scopes,
      });
      await services.store.appendAudit({
        actor: caller.actor,
        action: 'token.create',
        target: row.id,
        detailsJson: JSON.stringify({ name: row.name, scopes: row.scopes }),
      });
      return { ...toApiTokenView(row), token: minted.token };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/tokens',
    operationId: 'listApiTokens',
    summary: 'API tokens without their secrets, newest first',
    tag: 'tokens',
    scope: 'admin',
    response: apiTokenPageSchema,
    errors: [],
    async handler({ services }) {
      const list = await services.store.listApiTokens();
      return { items: list.map(toApiTokenView), nextCursor: null };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/tokens/:id/revoke',
    operationId: 'revokeApiToken',
    summary: 'Revoke an API token (idempotent)',
    tag: 'tokens',
    scope: 'admin',
    params: idParamsSchema,
    response: apiTokenViewSchema,
    errors: [400, 404],
    async handler({ params, caller, services }) {
      return revoke(services, caller, params.id);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/tokens/:id',
    operationId: 'deleteApiToken',
    summary:
      'Revoke an API token (same as POST /tokens/:id/revoke; the row is kept for the audit log)',
    tag: 'tokens',
    scope: 'admin',
    params: idParamsSchema,
    response: apiTokenViewSchema,
    errors: [400, 404],
    async handler({ params, caller, services }) {
      return revoke(services, caller, params.id);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/join-tokens',
    operationId: 'createJoinToken',
    summary: 'Create a single-use join token for agent enrollment; the answer shows it once',
    tag: 'join-tokens',
    scope: 'admin',
    body: joinTokenCreateSchema,
    status: 201,
    response: joinTokenCreatedSchema,
    errors: [400, 409, 413, 415],
    async handler({ body, caller, services }) {
      const name = body?.name ?? DEFAULT_JOIN_TOKEN_NAME;
      const minted = createJoinToken(
        body?.ttlMs ?? DEFAULT_JOIN_TOKEN_TTL_MS,
        services.clock.nowMs(),
      );
      const row = await services.store.createJoinToken({
        name,
        tokenHash: minted.hash,
        expiresAtMs: minted.expiresAtMs,
      });
      await services.store.appendAudit({
        actor: caller.actor,
        action: 'join-token.create',
        target: row.id,
        detailsJson: JSON.stringify({ name, expiresAtMs: row.expiresAtMs }),
      });
      return { id: row.id, name: row.name, token: minted.token, expiresAtMs: row.expiresAtMs };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/join-tokens',
    operationId: 'listJoinTokens',
    summary: 'Join tokens without their secrets, newest first',
    tag: 'join-tokens',
    scope: 'admin',
    response: joinTokenPageSchema,
    errors: [],
    async handler({ services }) {
      const now = services.clock.nowMs();
      const list = await services.store.listJoinTokens();
      return { items: list.map((t) => toJoinTokenView(t, now)), nextCursor: null };
    },
  }),
];
