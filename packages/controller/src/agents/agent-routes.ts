// The agent routes (/agent/v1/*) as one fastify plugin: enrollment with a join token, and behind
// mutual TLS renewal, heartbeats, the command long-poll, state reports, metric batches and test
// archives. Bodies are validated with the protocol schemas; errors answer `{ code, message, details }`.
import {
  AGENT_PROTOCOL_VERSION,
  EnrollRequestSchema,
  RenewRequestSchema,
  agentStateReportSchema,
  heartbeatSchema,
  metricBatchSchema,
  type CommandPoll,
  type HeartbeatAck,
} from '@stampede/protocol';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { drainRequest } from '../api/body-drain.ts';
import { ApiError, invalidRequest, toErrorReply } from '../api/errors.ts';
import type { ControllerServices } from '../services.ts';
import type { AgentEvents } from './agent-events.ts';
import { MAX_COMMAND_WAIT_MS, type AgentHub } from './agent-hub.ts';
import { agentCaller, clientCertificateHook } from './client-identity.ts';
import { enroll, renew, type EnrollmentOptions } from './enrollment.ts';
import { ingestMetricBatch } from './metric-ingest.ts';

/** Largest metric batch body accepted, bytes (500 snapshots with histograms). */
export const MAX_METRIC_BATCH_BYTES = 64 * 1024 * 1024;
/** Wait of a command long-poll when the agent names none, ms. */
export const DEFAULT_COMMAND_WAIT_MS = 25_000;

/** What the agent routes need. */
export interface AgentRoutesDeps {
  services: ControllerServices;
  hub: AgentHub;
  events: AgentEvents;
  enrollment?: EnrollmentOptions;
}

const commandQuerySchema = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  waitMs: z.coerce.number().int().nonnegative().default(DEFAULT_COMMAND_WAIT_MS),
});
const archiveParamsSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

function parse<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequest(r.error.issues, root);
  return r.data;
}

/** An AbortSignal that fires when the client goes away before the answer is sent. */
function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  // Per response, not per socket: keep-alive sockets carry many polls.
  reply.raw.once('close', () => ac.abort());
  return ac.signal;
}

function mtlsRoutes(deps: AgentRoutesDeps): FastifyPluginAsync {
  const { services, hub, events } = deps;
  const { store, clock } = services;
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', clientCertificateHook(services));

    app.post('/agent/v1/renew', async (request) => {
      const body = parse(RenewRequestSchema, request.body, 'body');
      return renew(services, agentCaller(request).generator, body, deps.enrollment);
    });

    app.post('/agent/v1/heartbeat', async (request): Promise<HeartbeatAck> => {
      const body = parse(heartbeatSchema, request.body, 'body');
      const { generator } = agentCaller(request);
      const healthJson = body.health === null ? null : JSON.stringify(body.health);
      const updated = await store.recordHeartbeat(generator.id, healthJson);
      hub.observe(generator.id, {
        activity: body.activity,
        runId: body.runId,
        saturated: body.health?.saturated ?? false,
      });
      hub.recordClockOffset(generator.id, body.sentAtMs);
      await events.heartbeat(updated, body);
      return {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        serverTimeMs: clock.nowMs(),
        leaseMs: services.config.leaseMs,
        commandVersion: hub.desired(generator.id).version,
      };
    });

    app.get('/agent/v1/commands', async (request, reply): Promise<CommandPoll> => {
      const q = parse(commandQuerySchema, request.query, 'query');
      const { generator } = agentCaller(request);
      const state = await hub.waitForCommand(
        generator.id,
        q.after,
        Math.min(q.waitMs, MAX_COMMAND_WAIT_MS),
        clientGone(reply),
      );
      return {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        commandVersion: state.version,
        command: state.command,
        serverTimeMs: clock.nowMs(),
      };
    });

    app.post('/agent/v1/state', async (request) => {
      const body = parse(agentStateReportSchema, request.body, 'body');
      const { generator } = agentCaller(request);
      hub.observe(generator.id, { activity: body.activity, runId: body.runId });
      await events.stateReported(generator, body);
      return { protocolVersion: AGENT_PROTOCOL_VERSION, ok: true as const };
    });

    app.post('/agent/v1/metrics', { bodyLimit: MAX_METRIC_BATCH_BYTES }, async (request) => {
      const body = parse(metricBatchSchema, request.body, 'body');
      return ingestMetricBatch(store, events, agentCaller(request).generator, body);
    });

    app.get('/agent/v1/archives/:sha256', async (request, reply) => {
      const { sha256 } = parse(archiveParamsSchema, request.params, 'params');
      const { generator } = agentCaller(request);
      // An agent fetches only the archive of the run it is told to prepare.
      const command = hub.desired(generator.id).command;
      if (command.kind !== 'prepare' || command.archiveSha256 !== sha256) {
        throw new ApiError('FORBIDDEN', `archive ${sha256} is not the one this agent prepares`);
      }
      let bundle;
      try {
        bundle = await store.getBundle(sha256);
      } catch {
        throw new ApiError('ARCHIVE_NOT_FOUND', `no archive ${sha256}`);
      }
      reply.type('application/octet-stream');
      return Buffer.from(bundle.content);
    });
  };
}

/** The agent routes plugin; register it on the controller's HTTPS app (buildApp's `plugins`). */
export function agentRoutes(deps: AgentRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.setErrorHandler(async (err, request, reply) => {
      // 5xx are logged by the app's onError hook (logServerErrors).
      const r = toErrorReply(err, request.routeOptions.bodyLimit, request.id);
      if (!(await drainRequest(request.raw))) reply.header('connection', 'close');
      return reply.code(r.statusCode).send(r.body);
    });

    app.post('/agent/v1/enroll', async (request) => {
      const body = parse(EnrollRequestSchema, request.body, 'body');
      return (await enroll(deps.services, deps.events, body, deps.enrollment)).response;
    });

    await app.register(mtlsRoutes(deps));
  };
}
