// Mutual TLS in the request path: every agent route but enrollment needs a client certificate
// issued by the controller's CA, unexpired and unrevoked, whose agent id names a live generator.
// TLS itself lets any client in (one listener also serves API clients), so this hook decides.
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { isStoreError, type Generator } from '@stampede/store';
import { ApiError } from '../api/errors.ts';
import type { VerifiedAgent } from '../ca/index.ts';
import type { ControllerServices } from '../services.ts';

/** The verified agent of a request and its generator row as read when the request arrived. */
export interface AgentCaller {
  agent: VerifiedAgent;
  generator: Generator;
}

const callers = new WeakMap<object, AgentCaller>();

function peerCertificate(request: FastifyRequest) {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || typeof socket.getPeerX509Certificate !== 'function') {
    return undefined;
  }
  return socket.getPeerX509Certificate();
}

/** onRequest hook: identifies the agent by its client certificate or answers 401/403 with a code. */
export function clientCertificateHook(services: ControllerServices) {
  return async (request: FastifyRequest): Promise<void> => {
    const cert = peerCertificate(request);
    if (cert === undefined) {
      throw new ApiError('UNAUTHENTICATED', 'agent routes need a client certificate (mutual TLS)');
    }
    const agent = await services.ca.verifyClientCertificate(cert, {
      isRevoked: (serial) => services.store.isCertificateRevoked(serial),
    });
    let generator: Generator;
    try {
      generator = await services.store.getGenerator(agent.agentId);
    } catch (err) {
      if (isStoreError(err, 'NOT_FOUND')) {
        throw new ApiError('UNAUTHENTICATED', `no generator ${agent.agentId}; enroll again`);
      }
      throw err;
    }
    // A retired generator's certificate may still be valid for a while (renewals do not revoke
    // the previous one, pooled connections still carry it); its identity is what is refused.
    if (generator.retiredAtMs !== null || generator.status === 'terminated') {
      throw new ApiError('FORBIDDEN', `generator ${generator.name} was terminated; enroll again`, {
        generatorId: generator.id,
      });
    }
    callers.set(request.raw, { agent, generator });
  };
}

/** The agent identified by clientCertificateHook for this request. */
export function agentCaller(request: FastifyRequest): AgentCaller {
  const c = callers.get(request.raw);
  if (!c) throw new ApiError('UNAUTHENTICATED', 'no client certificate was verified');
  return c;
}
