// A minimal controller for the agent's tests: the /agent/v1 routes over HTTPS with client
// certificates from a test CA, bodies checked with the protocol schemas, desired states with
// versions and long-polls, and switches to misbehave (stop answering heartbeats).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  AGENT_PROTOCOL_VERSION,
  ENROLL_PROTOCOL_VERSION,
  EnrollRequestSchema,
  RenewRequestSchema,
  agentStateReportSchema,
  heartbeatSchema,
  metricBatchSchema,
  type AgentCommand,
  type AgentStateReport,
  type Heartbeat,
  type IntervalSnapshot,
} from '@stampede/protocol';
import { createTestCa, type TestCa } from './test-ca.ts';

/** Settings of the fake controller. */
export interface FakeControllerOptions {
  leaseMs?: number;
  certValidityMs?: number;
}

/** The fake controller and what it saw. */
export interface FakeController {
  url: string;
  ca: TestCa;
  /** A fresh single-use join token. */
  newJoinToken(): string;
  setDesired(agentId: string, command: AgentCommand): void;
  heartbeats: (Heartbeat & { agentId: string; atMs: number })[];
  states: (AgentStateReport & { agentId: string })[];
  /** Every snapshot received, with how often (run/source/seq → count). */
  received: Map<string, number>;
  snapshots: IntervalSnapshot[];
  enrollments: number;
  renewals: number;
  /** Bodies that failed the protocol schemas (must stay empty). */
  protocolErrors: string[];
  /** false: heartbeats get no answer (held until close); true again answers new ones. */
  answerHeartbeats: boolean;
  /** Wall time of the last heartbeat answer, Unix epoch ms. */
  lastHeartbeatAckMs: number;
  addArchive(sha256: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** Starts a fake controller on 127.0.0.1 (port 0). */
export async function startFakeController(
  options: FakeControllerOptions = {},
): Promise<FakeController> {
  const ca = await createTestCa();
  const tokens = new Set<string>();
  const desired = new Map<string, { version: number; command: AgentCommand }>();
  const waiters = new Map<string, Set<() => void>>();
  const archives = new Map<string, Uint8Array>();
  const held = new Set<() => void>();
  let nextVersion = 1;
  let nextAgent = 1;

  const app: FastifyInstance = Fastify({
    https: {
      key: ca.server.keyPem,
      // The chain carries the CA, so agents can pin it by fingerprint.
      cert: ca.server.certPem + ca.certPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: false,
    },
    bodyLimit: 64 * 1024 * 1024,
  });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );

  const fake: FakeController = {
    url: '',
    ca,
    newJoinToken() {
      const token = `stj_${randomBytes(32).toString('base64url')}`;
      tokens.add(token);
      return token;
    },
    setDesired(agentId, command) {
      desired.set(agentId, { version: nextVersion++, command });
      for (const wake of waiters.get(agentId) ?? []) wake();
    },
    heartbeats: [],
    states: [],
    received: new Map(),
    snapshots: [],
    enrollments: 0,
    renewals: 0,
    protocolErrors: [],
    answerHeartbeats: true,
    lastHeartbeatAckMs: 0,
    addArchive(sha256, bytes) {
      archives.set(sha256, bytes);
    },
    async close() {
      for (const release of held) release();
      for (const set of waiters.values()) for (const wake of set) wake();
      await app.close();
    },
  };

  const stateOf = (agentId: string) => {
    let d = desired.get(agentId);
    if (!d) {
      d = { version: nextVersion++, command: { kind: 'idle' } };
      desired.set(agentId, d);
    }
    return d;
  };

  function check<T>(
    schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: unknown } },
    body: unknown,
    what: string,
    reply: FastifyReply,
  ): T | undefined {
    const r = schema.safeParse(body);
    if (!r.success) {
      fake.protocolErrors.push(`${what}: ${String(r.error)}`);
      void reply.code(400).send({ code: 'INVALID_REQUEST', message: String(r.error) });
      return undefined;
    }
    return r.data;
  }

  const issue = async (csrPem: string, agentId: string) => {
    const issued = await ca.signClient(csrPem, agentId, options.certValidityMs ?? 3600_000);
    return {
      protocolVersion: ENROLL_PROTOCOL_VERSION,
      agentId,
      certPem: issued.certPem,
      caPem: ca.certPem,
      serial: issued.serial,
      issuedAtMs: Date.now(),
      notAfterMs: issued.notAfterMs,
    };
  };

  app.post('/agent/v1/enroll', async (request, reply) => {
    const body = check(EnrollRequestSchema, request.body, 'enroll', reply);
    if (!body) return reply;
    if (!tokens.delete(body.joinToken))
      return reply.code(401).send({ code: 'INVALID_TOKEN', message: 'unknown join token' });
    fake.enrollments++;
    return issue(body.csrPem, `agent-${nextAgent++}`);
  });

  const agentOf = async (request: FastifyRequest): Promise<string | null> => {
    const peer = (request.raw.socket as TLSSocket).getPeerX509Certificate?.();
    return peer ? ca.agentIdOf(peer.raw) : null;
  };

  app.register(async (mtls) => {
    mtls.addHook('onRequest', async (request, reply) => {
      const id = await agentOf(request);
      if (id === null)
        return reply
          .code(401)
          .send({ code: 'UNAUTHENTICATED', message: 'client certificate required' });
      (request as FastifyRequest & { agentId?: string }).agentId = id;
      return undefined;
    });
    const idOf = (request: FastifyRequest): string =>
      (request as FastifyRequest & { agentId: string }).agentId;

    mtls.post('/agent/v1/renew', async (request, reply) => {
      const body = check(RenewRequestSchema, request.body, 'renew', reply);
      if (!body) return reply;
      fake.renewals++;
      return issue(body.csrPem, idOf(request));
    });

    mtls.post('/agent/v1/heartbeat', async (request, reply) => {
      const body = check(heartbeatSchema, request.body, 'heartbeat', reply);
      if (!body) return reply;
      const agentId = idOf(request);
      fake.heartbeats.push({ ...body, agentId, atMs: Date.now() });
      if (!fake.answerHeartbeats) {
        await new Promise<void>((resolve) => held.add(resolve));
        return reply.code(503).send({ code: 'UNAVAILABLE', message: 'shutting down' });
      }
      fake.lastHeartbeatAckMs = Date.now();
      return {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        serverTimeMs: Date.now(),
        leaseMs: options.leaseMs ?? 15_000,
        commandVersion: stateOf(agentId).version,
      };
    });

    mtls.get('/agent/v1/commands', async (request) => {
      const agentId = idOf(request);
      const q = request.query as { after?: string; waitMs?: string };
      const after = Number(q.after ?? 0);
      const waitMs = Math.min(Number(q.waitMs ?? 25_000), 30_000);
      if (stateOf(agentId).version === after) {
        await new Promise<void>((resolve) => {
          let set = waiters.get(agentId);
          if (!set) waiters.set(agentId, (set = new Set()));
          const s = set;
          const done = (): void => {
            clearTimeout(timer);
            s.delete(done);
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          s.add(done);
        });
      }
      const d = stateOf(agentId);
      return {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        commandVersion: d.version,
        command: d.command,
        serverTimeMs: Date.now(),
      };
    });

    mtls.post('/agent/v1/state', async (request, reply) => {
      const body = check(agentStateReportSchema, request.body, 'state', reply);
      if (!body) return reply;
      fake.states.push({ ...body, agentId: idOf(request) });
      return { protocolVersion: AGENT_PROTOCOL_VERSION, ok: true };
    });

    mtls.post('/agent/v1/metrics', async (request, reply) => {
      const body = check(metricBatchSchema, request.body, 'metrics', reply);
      if (!body) return reply;
      for (const s of body.snapshots) {
        const key = `${body.runId}/${s.source}/${s.seq}`;
        const n = fake.received.get(key) ?? 0;
        fake.received.set(key, n + 1);
        if (n === 0) fake.snapshots.push(s);
      }
      return {
        protocolVersion: AGENT_PROTOCOL_VERSION,
        acked: body.snapshots.map((s) => ({ source: s.source, seq: s.seq })),
      };
    });

    mtls.get('/agent/v1/archives/:sha256', async (request, reply) => {
      const { sha256 } = request.params as { sha256: string };
      const bytes = archives.get(sha256);
      if (!bytes) return reply.code(404).send({ code: 'ARCHIVE_NOT_FOUND', message: sha256 });
      return reply.type('application/octet-stream').send(Buffer.from(bytes));
    });
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  fake.url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return fake;
}
