// How a REST route is declared: one object holds its method, path, scope and zod schemas (which
// validate the request and generate the OpenAPI document) and its handler. Routes never touch
// raw input: params, query and body reach the handler parsed.
import type { ApiScope } from '@stampede/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ControllerServices } from '../services.ts';
import { authenticate, type Caller } from './auth.ts';
import { invalidRequest } from './errors.ts';

/** HTTP methods the API uses. */
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A JSON text sent as is (a stored document such as a summary), instead of a serialized object. */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** What a handler receives: parsed input, the caller, the services, and the raw request and reply. */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  services: ControllerServices;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** The typed declaration of one route, as written in the resource files. */
export interface RouteSpec<
  PS extends z.ZodType,
  QS extends z.ZodType,
  BS extends z.ZodType,
  RS extends z.ZodType,
> {
  method: ApiMethod;
  /** Path under /api/v1, fastify syntax (`/runs/:id`). */
  url: string;
  operationId: string;
  summary: string;
  /** OpenAPI tag: the resource. */
  tag: string;
  /** Scope the bearer token needs; null for open routes. */
  scope: ApiScope | null;
  params?: PS;
  query?: QS;
  body?: BS;
  /** Raw bytes (application/octet-stream) instead of JSON; `body` is then unused. */
  binaryBody?: boolean;
  /** Body limit of this route in bytes, when not the app's JSON limit. */
  bodyLimitBytes?: (services: ControllerServices) => number;
  /** Status of a successful answer (default 200). */
  status?: 200 | 201 | 202;
  response: RS;
  /** Error statuses the route may answer, for the OpenAPI document (401/403 are added for scoped routes). */
  errors: readonly number[];
  handler(
    ctx: RouteContext<z.output<PS>, z.output<QS>, z.output<BS>>,
  ): Promise<z.input<RS> | RawJson>;
}

/** A route with its types erased, as mounted and documented. */
export interface ApiRoute {
  method: ApiMethod;
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: ApiScope | null;
  params: z.ZodType | undefined;
  query: z.ZodType | undefined;
  body: z.ZodType | undefined;
  binaryBody: boolean;
  bodyLimitBytes: ((services: ControllerServices) => number) | undefined;
  status: 200 | 201 | 202;
  response: z.ZodType;
  errors: readonly number[];
  serve(
    services: ControllerServices,
    caller: Caller,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown>;
}

function parseInput<S extends z.ZodType>(
  schema: S | undefined,
  value: unknown,
  root: string,
): z.output<S> | undefined {
  if (schema === undefined) return undefined;
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw invalidRequest(parsed.error.issues, root);
  return parsed.data;
}

/** Declares a route: keeps its metadata and wraps its handler with input parsing. */
export function defineRoute<
  PS extends z.ZodType = z.ZodUndefined,
  QS extends z.ZodType = z.ZodUndefined,
  BS extends z.ZodType = z.ZodUndefined,
  RS extends z.ZodType = z.ZodType,
>(spec: RouteSpec<PS, QS, BS, RS>): ApiRoute {
  const status = spec.status ?? 200;
  return {
    method: spec.method,
    url: spec.url,
    operationId: spec.operationId,
    summary: spec.summary,
    tag: spec.tag,
    scope: spec.scope,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    binaryBody: spec.binaryBody ?? false,
    bodyLimitBytes: spec.bodyLimitBytes,
    status,
    response: spec.response,
    errors: spec.errors,
    async serve(services, caller, request, reply) {
      const params = parseInput(spec.params, request.params, 'params') as z.output<PS>;
      const query = parseInput(spec.query, request.query, 'query') as z.output<QS>;
      const body = spec.binaryBody
        ? (undefined as z.output<BS>)
        : (parseInput(spec.body, request.body, 'body') as z.output<BS>);
      reply.code(status);
      const out = await spec.handler({ params, query, body, caller, services, request, reply });
      if (out instanceof RawJson) {
        reply.type('application/json; charset=utf-8');
        return out.text;
      }
      return out;
    },
  };
}

// Keyed by the raw request: the caller found by the onRequest hook, read by the handler.
const callers = new WeakMap<object, Caller>();

const ANONYMOUS: Caller = { tokenId: '', name: 'anonymous', scopes: [], actor: 'anonymous' };

/** Registers routes on `app` (paths relative to its prefix); authentication runs before the body is read. */
export function mountRoutes(
  app: FastifyInstance,
  services: ControllerServices,
  routes: readonly ApiRoute[],
): void {
  for (const route of routes) {
    const limit = route.bodyLimitBytes?.(services);
    app.route({
      method: route.method,
      url: route.url,
      ...(limit === undefined ? {} : { bodyLimit: limit }),
      onRequest: async (request) => {
        if (route.scope === null) return;
        callers.set(request.raw, await authenticate(services, request.headers, route.scope));
      },
      handler: async (request, reply) =>
        route.serve(services, callers.get(request.raw) ?? ANONYMOUS, request, reply),
    });
  }
}
