// The REST API as one fastify plugin: every resource's routes under /api/v1, each resource in
// its own encapsulated scope (the archive upload alone reads raw bytes).
import { API_PREFIX } from '@stampede/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ControllerServices } from '../services.ts';
import { archiveRoutes } from './archives.ts';
import { auditRoutes } from './audit.ts';
import { baselineRoutes } from './baselines.ts';
import { comparisonRoutes } from './comparisons.ts';
import { generatorRoutes } from './generators.ts';
import { historyRoutes } from './history.ts';
import { metaRoutes } from './meta.ts';
import { projectRoutes } from './projects.ts';
import { mountRoutes, type ApiRoute } from './route.ts';
import { runDataRoutes } from './run-data.ts';
import { runRoutes } from './runs.ts';
import { tokenRoutes } from './tokens.ts';

/** One resource of the API: its routes, mounted as one encapsulated fastify plugin. */
export interface ApiResource {
  name: string;
  routes: readonly ApiRoute[];
}

/** The API's resources in the order they are mounted and documented. */
export const API_RESOURCES: readonly ApiResource[] = [
  { name: 'meta', routes: metaRoutes(() => API_ROUTES) },
  { name: 'archives', routes: archiveRoutes },
  { name: 'runs', routes: [...runRoutes, ...runDataRoutes] },
  { name: 'comparisons', routes: [...comparisonRoutes, ...baselineRoutes] },
  { name: 'history', routes: historyRoutes },
  { name: 'generators', routes: generatorRoutes },
  { name: 'tokens', routes: tokenRoutes },
  { name: 'projects', routes: projectRoutes },
  { name: 'audit', routes: auditRoutes },
];

/** Every route of the REST API, paths relative to /api/v1. */
export const API_ROUTES: readonly ApiRoute[] = API_RESOURCES.flatMap((r) => r.routes);

/** A resource as a fastify plugin; a scope with a raw-bytes route accepts only application/octet-stream. */
export function resourcePlugin(
  resource: ApiResource,
  services: ControllerServices,
): FastifyPluginAsync {
  return async (scope) => {
    if (resource.routes.some((r) => r.binaryBody)) {
      // JSON or text bodies are refused (415) before they are read.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/octet-stream',
        { parseAs: 'buffer' },
        (_req, body, done) => done(null, body),
      );
    }
    mountRoutes(scope, services, resource.routes);
  };
}

/** The REST API plugin: every resource under /api/v1. */
export function apiPlugin(services: ControllerServices): FastifyPluginAsync {
  return async (app) => {
    for (const resource of API_RESOURCES) {
      await app.register(resourcePlugin(resource, services), { prefix: API_PREFIX });
    }
  };
}

export { ApiError, HTTP_STATUS_BY_CODE, toErrorReply } from './errors.ts';
export { RUN_JOB_KIND, type RunJobPayload } from './runs.ts';
export { scanScriptTargets, isTargetAllowed, type TargetPolicy } from './targets.ts';
export { authenticate, type Caller } from './auth.ts';
