// Open routes about the API itself: health (for load balancers and the CLI) and the OpenAPI
// document.
import { AGENT_PROTOCOL_VERSION, API_VERSION, healthSchema, type Health } from '@stampede/protocol';
import { z } from 'zod';
import controllerPackage from '../../package.json' with { type: 'json' };
import { buildOpenApiDocument } from './openapi.ts';
import { defineRoute, RawJson, type ApiRoute } from './route.ts';

/** Version of the controller, from its package.json. */
export const CONTROLLER_VERSION: string = controllerPackage.version;

/** Health and OpenAPI routes; `allRoutes` gives every route to document, this list included. */
export function metaRoutes(allRoutes: () => readonly ApiRoute[]): readonly ApiRoute[] {
  let document: string | undefined;
  return [
    defineRoute({
      method: 'GET',
      url: '/health',
      operationId: 'getHealth',
      summary: 'Whether the controller answers, and which versions it speaks (no token)',
      tag: 'meta',
      scope: null,
      response: healthSchema,
      errors: [],
      async handler(): Promise<Health> {
        return {
          status: 'ok',
          version: CONTROLLER_VERSION,
          apiVersion: API_VERSION,
          protocolVersion: AGENT_PROTOCOL_VERSION,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This API as an OpenAPI 3.1 document (no token)',
      tag: 'meta',
      scope: null,
      response: z.record(z.string(), z.unknown()),
      errors: [],
      async handler() {
        // Built once: the routes are fixed when the app is built.
        document ??= JSON.stringify(
          buildOpenApiDocument(allRoutes(), {
            title: 'Stampede controller API',
            version: CONTROLLER_VERSION,
            description: 'REST API of the Stampede controller (docs/api.md).',
          }),
        );
        return new RawJson(document);
      },
    }),
  ];
}
