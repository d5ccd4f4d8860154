// The controller's HTTP application, built separately from `listen` so tests drive it with
// inject(). One listener serves bearer-token API clients and mutual-TLS agents: with TLS the
// server asks for a client certificate but lets requests without one through; the agent routes
// check the peer certificate themselves.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyServerOptions,
} from 'fastify';
import { apiPlugin } from './api/index.ts';
import { toErrorReply } from './api/errors.ts';
import { drainRequest } from './api/body-drain.ts';
import { logServerErrors } from './api/error-log.ts';
import { answerUnknownExpectations, clientErrorHandler } from './http-errors.ts';
import type { ControllerLog } from './scheduler/log.ts';
import type { ControllerServices } from './services.ts';
import { webUiPlugin } from './web-ui.ts';

/** Largest JSON body of any route, bytes (archives have their own limit, config.maxArchiveBytes). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** TLS material of the listener, PEM: the server certificate and key, and the CA agents' certificates chain to. */
export interface AppTlsOptions {
  keyPem: string;
  certPem: string;
  caPem: string;
}

/** Options of `buildApp`. */
export interface BuildAppOptions {
  /** Serve HTTPS, requesting (not requiring) client certificates signed by `caPem`. */
  https?: AppTlsOptions;
  /** More routes (the agent protocol), registered at the root after the REST API. */
  plugins?: FastifyPluginAsync[];
  /** Log requests with fastify's logger (pino). */
  logger?: boolean;
  /** Where 5xx answers are logged (request id, route, stack); fastify's logger when absent. */
  log?: ControllerLog;
}

function serverOptions(options: BuildAppOptions): FastifyServerOptions & {
  https?: Record<string, unknown>;
} {
  const base: FastifyServerOptions = {
    logger: options.logger ?? false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // Ids unique across restarts, so one in an error answer finds its line in the log.
    genReqId: () => randomUUID(),
    clientErrorHandler,
    // Router errors (bad URL encoding, over-long path parameters) get the API's error shape too.
    frameworkErrors: (err, _request, reply) => {
      const { statusCode, body } = toErrorReply(err);
      void (reply as unknown as FastifyReply)
        .code(statusCode)
        .type('application/json; charset=utf-8')
        .send(body);
    },
  };
  if (options.https === undefined) return base;
  return {
    ...base,
    https: {
      key: options.https.keyPem,
      cert: options.https.certPem,
      ca: options.https.caPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
  };
}

/** Builds the controller's fastify app (REST API, error mapping, extra plugins); it is not listening yet. */
export function buildApp(
  services: ControllerServices,
  options: BuildAppOptions = {},
): FastifyInstance {
  // With `https` fastify types the instance for an https.Server; requests and replies are the
  // same IncomingMessage/ServerResponse, so one type serves both.
  const app = Fastify(serverOptions(options)) as unknown as FastifyInstance;

  // Text bodies are refused (415) rather than handed to JSON schemas as strings, and an empty
  // JSON body counts as no body (optional bodies such as an abort's reason).
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });

  logServerErrors(app, options.log);
  answerUnknownExpectations(app);
  app.setErrorHandler(async (err, request, reply) => {
    const { statusCode, body } = toErrorReply(err, request.routeOptions.bodyLimit, request.id);
    // The client may still be sending: let it finish (bounded) so it reads this answer.
    if (!(await drainRequest(request.raw))) reply.header('connection', 'close');
    return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    void reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send({
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${path}`,
        details: { method: request.method, path },
      });
  });

  void app.register(apiPlugin(services));
  void app.register(webUiPlugin);
  for (const plugin of options.plugins ?? []) void app.register(plugin);
  return app;
}
