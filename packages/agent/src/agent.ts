// startAgent: enroll (or reuse the identity in the data directory), keep the certificate renewed,
// and run the supervisor until the controller terminates the agent or the caller stops it.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { systemClock, type CancelTimer, type Clock } from '@stampede/engine';
import { ControllerClient } from './controller-client.ts';
import { renewDelayMs, shouldRenew } from './enroll/index.ts';
import { AgentError } from './errors.ts';
import {
  certFingerprint,
  enroll,
  enrollmentTrust,
  loadIdentity,
  renew,
  saveIdentity,
  type AgentIdentity,
} from './identity.ts';
import { stderrLog, type AgentLog } from './log.ts';
import { backoffDelayMs } from './retry.ts';
import { Supervisor } from './supervisor.ts';

/** How to start an agent. */
export interface AgentOptions {
  /** The controller's base URL, https. */
  controllerUrl: string;
  /** Single-use join token; needed unless the data directory holds a valid identity for this controller. */
  joinToken?: string;
  /** Name of this generator ([A-Za-z0-9._-], at most 64). */
  name: string;
  /** Folder of the identity, the metric spool, archives and unpacked runs (created if missing). */
  dataDir: string;
  /** The controller's CA certificate (PEM), trusted from the first request. */
  caPem?: string;
  /** SHA-256 fingerprint of the controller's CA; the CA must come in the server's TLS chain. */
  caFingerprint?: string;
  /** Upper bound on the lease one heartbeat answer grants, ms (default: what the controller says). */
  leaseMs?: number;
  /** Time between heartbeats, ms (default 2000). */
  heartbeatIntervalMs?: number;
  /** Wait of one command long-poll, ms (default 25000). */
  commandWaitMs?: number;
  /** Load worker threads per run (default: the cores less one for the supervisor and run host). */
  workers?: number;
  /** Metric interval of runs, ms (default 1000). */
  intervalMs?: number;
  clock?: Clock;
  log?: AgentLog;
}

/** A started agent. */
export interface AgentHandle {
  agentId: string;
  /** Stops load at once, sends what it can for a few seconds, and resolves when the agent is down. */
  stop(): Promise<void>;
  /** Resolves when the agent stopped (terminate command or stop()); rejects when it had to give up. */
  readonly done: Promise<void>;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Least validity left on a stored certificate for it to be used rather than enrolling again, ms. */
const MIN_VALIDITY_MS = 60_000;

/** Enrolls (or reuses the stored identity), then runs the agent until stopped or terminated. */
export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? stderrLog;
  checkOptions(options);
  const dataDir = resolve(options.dataDir);
  let identity = await obtainIdentity(options, dataDir, clock, log);
  const client = new ControllerClient(options.controllerUrl, tlsOf(identity));

  const supervisor = new Supervisor({
    client,
    clock,
    log,
    dataDir,
    workers: options.workers ?? Math.max(1, availableParallelism() - 1),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 2000,
    commandWaitMs: options.commandWaitMs ?? 25_000,
    ...(options.leaseMs !== undefined ? { maxLeaseMs: options.leaseMs } : {}),
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });

  // Renewal: at 2/3 of the certificate's life, retried with backoff until it expires.
  let renewTimer: CancelTimer | undefined;
  let failures = 0;
  const scheduleRenewal = (delayMs: number): void => {
    renewTimer = clock.setTimer(() => void renewNow(), delayMs);
  };
  const renewNow = async (): Promise<void> => {
    try {
      identity = await renew(client, identity);
      await saveIdentity(dataDir, identity);
      client.setTls(tlsOf(identity));
      failures = 0;
      log(
        'info',
        `certificate renewed, valid until ${new Date(identity.notAfterMs).toISOString()}`,
      );
      scheduleRenewal(renewDelayMs(identity.notAfterMs, identity.issuedAtMs, clock.epochMs()));
    } catch (error) {
      const left = identity.notAfterMs - clock.epochMs();
      if (left <= 0) {
        void supervisor.stop(
          'certificate expired',
          new AgentError(
            'IDENTITY_EXPIRED',
            `the certificate expired and renewal failed: ${(error as Error).message}`,
          ),
        );
        return;
      }
      log('warn', `certificate renewal failed, retrying: ${(error as Error).message}`);
      scheduleRenewal(Math.min(left, backoffDelayMs(failures++, { baseMs: 1000, maxMs: 60_000 })));
    }
  };
  if (shouldRenew(identity.notAfterMs, identity.issuedAtMs, clock.epochMs())) await renewNow();
  else scheduleRenewal(renewDelayMs(identity.notAfterMs, identity.issuedAtMs, clock.epochMs()));

  await supervisor.start();
  log('info', `agent ${identity.name} (${identity.agentId}) connected to ${options.controllerUrl}`);
  const done = supervisor.done.finally(async () => {
    renewTimer?.();
    await client.close();
  });
  // `done` may reject after the caller stopped listening; that must not crash the process.
  done.catch(() => undefined);
  return {
    agentId: identity.agentId,
    stop: async () => {
      await supervisor.stop('the agent was stopped');
      await done.catch(() => undefined);
    },
    done,
  };
}

function checkOptions(o: AgentOptions): void {
  let url: URL;
  try {
    url = new URL(o.controllerUrl);
  } catch {
    throw new AgentError('INVALID_OPTIONS', `controllerUrl: not a URL: ${o.controllerUrl}`);
  }
  if (url.protocol !== 'https:') {
    throw new AgentError('INVALID_OPTIONS', 'controllerUrl: must be https (agents use mutual TLS)');
  }
  if (!NAME.test(o.name)) {
    throw new AgentError('INVALID_OPTIONS', 'name: 1 to 64 of A-Z a-z 0-9 . _ -');
  }
  if (o.caPem !== undefined && o.caFingerprint !== undefined) {
    throw new AgentError('INVALID_OPTIONS', 'give caPem or caFingerprint, not both');
  }
}

function tlsOf(identity: AgentIdentity) {
  return { caPem: identity.caPem, certPem: identity.certPem, keyPem: identity.keyPem };
}

async function obtainIdentity(
  options: AgentOptions,
  dataDir: string,
  clock: Clock,
  log: AgentLog,
): Promise<AgentIdentity> {
  const stored = await loadIdentity(dataDir, options.controllerUrl);
  if (stored && stored.notAfterMs - clock.epochMs() > MIN_VALIDITY_MS) {
    log('info', `reusing the identity of agent ${stored.agentId} from ${dataDir}`);
    return stored;
  }
  if (options.joinToken === undefined || options.joinToken === '') {
    throw new AgentError(
      stored ? 'IDENTITY_EXPIRED' : 'INVALID_OPTIONS',
      stored
        ? `the stored certificate of agent ${stored.agentId} expired; enroll again with a new join token`
        : 'joinToken: needed to enroll (no identity for this controller in the data directory)',
    );
  }
  // A CA learned on an earlier enrollment is trusted again rather than trusting on first use twice.
  const caPem = options.caPem ?? stored?.caPem;
  const trust = await enrollmentTrust(
    options.controllerUrl,
    {
      ...(caPem !== undefined ? { caPem } : {}),
      ...(options.caFingerprint !== undefined ? { caFingerprint: options.caFingerprint } : {}),
    },
    (message) => log('warn', message),
  );
  const identity = await enroll({
    controllerUrl: options.controllerUrl,
    joinToken: options.joinToken,
    name: options.name,
    trust,
  });
  if (trust.insecure) {
    log(
      'warn',
      `trusting controller CA with SHA-256 fingerprint ${certFingerprint(identity.caPem)}`,
    );
  }
  await saveIdentity(dataDir, identity);
  log(
    'info',
    `enrolled as agent ${identity.agentId}, certificate valid until ${new Date(identity.notAfterMs).toISOString()}`,
  );
  return identity;
}
