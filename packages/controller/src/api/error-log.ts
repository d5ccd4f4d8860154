// Every 5xx leaves a trace: one log line with the request id (also in the answer), the method,
// the route and the stack. Never the body, the query or headers: they may carry tokens.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ControllerLog } from '../scheduler/log.ts';
import { toErrorReply } from './errors.ts';

/** The log line of a request that failed with a 5xx. */
export function serverErrorLine(request: FastifyRequest, statusCode: number, err: unknown): string {
  const route = request.routeOptions.url ?? '(no route)';
  const stack = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return `request ${request.id} ${request.method} ${route} failed with ${statusCode}: ${stack}`;
}

/** Logs every error that becomes a 5xx answer, in any route of `app` (hooks reach child scopes). */
export function logServerErrors(app: FastifyInstance, log: ControllerLog | undefined): void {
  app.addHook('onError', async (request, _reply, err) => {
    const { statusCode } = toErrorReply(err);
    if (statusCode < 500) return;
    if (log === undefined) request.log.error({ err, reqId: request.id }, 'request failed');
    else log.error(serverErrorLine(request, statusCode, err));
  });
}
