// The audit log: who started and aborted what, who terminated generators and made tokens.
import { auditPageSchema, auditQuerySchema } from '@stampede/protocol';
import { defineRoute, type ApiRoute } from './route.ts';
import { toAuditView } from './views.ts';

/** Entries per audit page when the query names no limit. */
export const DEFAULT_AUDIT_LIMIT = 100;

/** Routes of /api/v1/audit. */
export const auditRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/audit',
    operationId: 'listAudit',
    summary: 'Audit log entries, newest first, paged',
    tag: 'audit',
    scope: 'admin',
    query: auditQuerySchema,
    response: auditPageSchema,
    errors: [400],
    async handler({ query, services }) {
      const limit = query.limit ?? DEFAULT_AUDIT_LIMIT;
      // One more than asked tells whether another page exists.
      const entries = await services.store.listAudit({
        limit: limit + 1,
        ...(query.cursor === undefined ? {} : { beforeId: Number(query.cursor) }),
      });
      const items = entries.slice(0, limit);
      const last = items.at(-1);
      const nextCursor = entries.length > limit && last !== undefined ? String(last.id) : null;
      return { items: items.map(toAuditView), nextCursor };
    },
  }),
];
