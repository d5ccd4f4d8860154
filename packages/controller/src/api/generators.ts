// Generators (agents): list them, and break glass: terminate one whatever it is doing.
import {
  generatorListQuerySchema,
  generatorPageSchema,
  generatorViewSchema,
  idParamsSchema,
  reasonBodySchema,
} from '@stampede/protocol';
import { ApiError } from './errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { toGeneratorView } from './views.ts';

/** Routes of /api/v1/generators. */
export const generatorRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/generators',
    operationId: 'listGenerators',
    summary: 'Generators by creation time (retired ones only with includeRetired=true)',
    tag: 'generators',
    scope: 'read',
    query: generatorListQuerySchema,
    response: generatorPageSchema,
    errors: [400],
    async handler({ query, services }) {
      const list = await services.store.listGenerators({
        ...(query.pool === undefined ? {} : { pool: query.pool }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.runId === undefined ? {} : { runId: query.runId }),
        ...(query.includeRetired === undefined ? {} : { includeRetired: query.includeRetired }),
      });
      return { items: list.map(toGeneratorView), nextCursor: null };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/generators/:id/terminate',
    operationId: 'terminateGenerator',
    summary: "Stop a generator's load and retire it now (confirmation is asynchronous)",
    tag: 'generators',
    scope: 'admin',
    params: idParamsSchema,
    body: reasonBodySchema,
    status: 202,
    response: generatorViewSchema,
    errors: [400, 404, 409, 413, 415],
    async handler({ params, body, caller, services }) {
      const generator = await services.store.getGenerator(params.id);
      if (generator.status === 'terminated') {
        throw new ApiError('INVALID_STATE', `generator ${generator.name} is already terminated`, {
          id: generator.id,
          status: generator.status,
        });
      }
      // A termination under way is not requested (nor audited) again.
      if (generator.status === 'terminating') return toGeneratorView(generator);
      const reason = body?.reason ?? `terminated by ${caller.actor}`;
      await services.pools.terminateGenerator(generator.id, reason, caller.actor);
      await services.store.appendAudit({
        actor: caller.actor,
        action: 'generator.terminate',
        target: generator.id,
        detailsJson: JSON.stringify({
          reason,
          name: generator.name,
          fromStatus: generator.status,
          runId: generator.runId,
        }),
      });
      return toGeneratorView(await services.store.getGenerator(generator.id));
    },
  }),
];
