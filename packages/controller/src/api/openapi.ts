// The OpenAPI 3.1 document of the REST API, generated from the same route declarations and zod
// schemas that validate requests, so it cannot drift from what the server accepts.
import { API_PREFIX, apiErrorSchema } from '@stampede/protocol';
import { z } from 'zod';
import type { ApiRoute } from './route.ts';

/** Title, version and description of the document. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

type JsonSchema = Record<string, unknown>;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  400: 'Invalid request: a field fails the schema (details.issues name the paths) or malformed JSON',
  401: 'Missing, unknown or revoked bearer token',
  403: "The token lacks the route's scope",
  404: 'Unknown id',
  409: "The resource's state forbids the operation",
  413: "Body larger than the route's limit",
  415: 'Wrong Content-Type',
  422: 'Well-formed but refused: archive, caps or target allow-list',
};

/** The JSON Schema (2020-12, the dialect of OpenAPI 3.1) of a zod schema, as sent (`input`) or answered (`output`). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

/** `/runs/:id` → `/api/v1/runs/{id}`. */
export function openApiPath(url: string): string {
  return API_PREFIX + url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  const json = jsonSchemaOf(schema, 'input');
  const props = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

function requestBody(route: ApiRoute): JsonSchema | undefined {
  if (route.binaryBody) {
    return {
      required: true,
      content: {
        'application/octet-stream': {
          schema: { type: 'string', contentMediaType: 'application/octet-stream' },
        },
      },
    };
  }
  if (route.body === undefined) return undefined;
  return {
    required: !route.body.safeParse(undefined).success,
    content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } },
  };
}

function responses(route: ApiRoute): JsonSchema {
  const out: JsonSchema = {
    [route.status]: {
      description: STATUS_TEXT[route.status] ?? 'OK',
      content: { 'application/json': { schema: jsonSchemaOf(route.response, 'output') } },
    },
  };
  const errors = new Set(route.errors);
  if (route.scope !== null) {
    errors.add(401);
    errors.add(403);
  }
  for (const status of [...errors].sort()) {
    out[status] = {
      description: STATUS_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

/** Builds the OpenAPI 3.1 document listing every route with its parameters, body, answers and scope. */
export function buildOpenApiDocument(routes: readonly ApiRoute[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: route.scope === null ? [] : [{ bearerToken: [] }],
      'x-stampede-scope': route.scope,
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: responses(route),
    };
    const body = requestBody(route);
    if (body !== undefined) operation['requestBody'] = body;
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (sta_…); scopes: read (GET), run (archives, start and abort runs), admin (everything)',
        },
      },
      schemas: { Error: jsonSchemaOf(apiErrorSchema, 'output') },
    },
  };
}
