// startController: the whole controller in one process. Opens (and migrates) the store, loads or
// creates the CA in the data directory, issues the HTTPS server certificate, makes the admin API
// token on first start, listens with the REST API and the agent routes on one mutual-TLS
// listener, then starts the scheduler, liveness monitor and local pool.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ChangePointSettings } from '@stampede/protocol';
import { openStore, type Store } from '@stampede/store';
import { buildApp } from './app.ts';
import { API_TOKEN_PREFIX, assertTokenFormat, createApiToken, hashToken } from './ca/index.ts';
import { loadOrCreateCa } from './ca/ca-files.ts';
import { LOCAL_POOL } from './pool/join-placement.ts';
import type { LocalAgentCommand } from './pool/local-pool.ts';
import { createControllerCore, type ControllerCore } from './scheduler/controller-core.ts';
import { stderrLog, type ControllerLog } from './scheduler/log.ts';
import type { RunTimeouts } from './scheduler/scheduler-config.ts';
import type { ControllerClock, ControllerConfig, ControllerServices } from './services.ts';

/** Options of startController; only `port` and `dataDir` are required. */
export interface StartControllerOptions {
  /** TCP port (0 picks a free one). */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Directory of the CA, the SQLite database, the controller id and local agents' data. */
  dataDir: string;
  /** Store URL (postgres://… or a SQLite path); default SQLite at <dataDir>/stampede.db. */
  databaseUrl?: string;
  /** Hosts runs may target besides loopback. */
  allowTargets?: string[];
  /** Whether loopback targets are allowed (default true). */
  allowLoopback?: boolean;
  /** Local agent processes kept warm (default: CPU cores, at least 2; 0: no local pool). */
  localGenerators?: number;
  /** Most local processes at once (default: max(localGenerators, maxGenerators)). */
  localMaxGenerators?: number;
  /** How a local agent process is started (default `stampede agent …` of this repository). */
  localAgentCommand?: LocalAgentCommand;
  /** Agent lease, ms (default 10 000). */
  leaseMs?: number;
  /** Fixes the admin API token (else STAMPEDE_ADMIN_TOKEN, else one is made on first start). */
  adminToken?: string;
  /** Pool of runs that name none (default `local`). */
  defaultPool?: string;
  /** Runs at once per pool (default 1). */
  poolConcurrency?: Record<string, number>;
  maxDurationMs?: number;
  maxRatePerSec?: number;
  maxGenerators?: number;
  maxArchiveBytes?: number;
  /** State deadlines and start lead of runs. */
  timeouts?: Partial<RunTimeouts>;
  /** How often liveness, pools and the scheduler run, ms (default 250). */
  tickIntervalMs?: number;
  /** Change-point settings of new history series (default: the analysis package's). */
  historySettings?: Partial<ChangePointSettings>;
  /** Wall clock (tests). */
  clock?: ControllerClock;
  /** Operational log (default stderr). */
  log?: ControllerLog;
  /** Fastify request logging. */
  logger?: boolean;
}

/** A running controller. */
export interface RunningController {
  /** Base URL, https://host:port. */
  url: string;
  /** The CA certificate agents and clients trust, PEM, and its file. */
  caPem: string;
  caFile: string;
  /** The admin API token, only when it was created by this start. */
  adminToken?: string;
  services: ControllerServices;
  core: ControllerCore;
  app: FastifyInstance;
  /** Aborts active runs, terminates local agents, closes the listener and the store. */
  stop(): Promise<void>;
}

const systemClock: ControllerClock = { nowMs: () => Date.now() };

/** Loads this controller's id (the owner of its job leases) or makes one on first start. */
function controllerId(dataDir: string): string {
  const file = join(dataDir, 'controller-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = `ctl-${hostname().replace(/[^A-Za-z0-9.-]/g, '')}-${randomBytes(6).toString('hex')}`;
  writeFileSync(file, id + '\n', { mode: 0o600 });
  return id;
}

/** Makes the admin token on first start (returned to print once) or registers the fixed one. */
async function ensureAdminToken(
  store: Store,
  fixed: string | undefined,
): Promise<string | undefined> {
  if (fixed !== undefined) {
    assertTokenFormat(fixed, API_TOKEN_PREFIX);
    const hash = hashToken(fixed);
    if (await store.findApiTokenByHash(hash)) return undefined;
    // Live token names are unique: a new fixed token beside an older admin gets a name of its own.
    const taken = (await store.listApiTokens()).some(
      (t) => t.name === 'admin' && t.revokedAtMs === null,
    );
    const name = taken ? `admin-${hash.slice(0, 8)}` : 'admin';
    await store.createApiToken({ name, tokenHash: hash, scopes: ['admin'] });
    return fixed;
  }
  const existing = await store.listApiTokens();
  if (existing.some((t) => t.name === 'admin' && t.revokedAtMs === null)) return undefined;
  const token = createApiToken();
  await store.createApiToken({ name: 'admin', tokenHash: token.hash, scopes: ['admin'] });
  return token.token;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the controller; resolves once it listens and `GET /api/v1/health` answers. */
export async function startController(options: StartControllerOptions): Promise<RunningController> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? stderrLog();
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(options.databaseUrl ?? join(options.dataDir, 'stampede.db'), {
    clock,
  });
  // What was started so far, stopped again if a later step fails.
  let started: { core: ControllerCore; app: FastifyInstance } | undefined;
  try {
    const { ca, certFile } = await loadOrCreateCa(join(options.dataDir, 'ca'), { clock });
    const hosts = [...new Set(['127.0.0.1', 'localhost', '::1', hostname(), host])].filter(
      (h) => h !== '' && h !== '0.0.0.0' && h !== '::',
    );
    const server = await ca.issueServerCertificate({ hosts });
    const fixedToken = options.adminToken ?? process.env['STAMPEDE_ADMIN_TOKEN'];
    // Returned, never logged: log collectors keep what they see, and only the hash is stored.
    const adminToken = await ensureAdminToken(store, fixedToken || undefined);
    const maxGenerators = options.maxGenerators ?? 64;
    const config: ControllerConfig = {
      allowTargets: options.allowTargets ?? [],
      allowLoopback: options.allowLoopback ?? true,
      maxDurationMs: options.maxDurationMs ?? 6 * 3600_000,
      maxRatePerSec: options.maxRatePerSec ?? 1_000_000,
      maxGenerators,
      maxArchiveBytes: options.maxArchiveBytes ?? 64 * 1024 * 1024,
      leaseMs: options.leaseMs ?? 10_000,
      defaultPool: options.defaultPool ?? LOCAL_POOL,
    };
    const core = createControllerCore({
      store,
      clock,
      ca,
      config,
      ownerId: controllerId(options.dataDir),
      log,
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
      ...(options.poolConcurrency === undefined
        ? {}
        : { poolConcurrency: options.poolConcurrency }),
      ...(options.historySettings === undefined
        ? {}
        : { historySettings: options.historySettings }),
    });
    const app = buildApp(core.services, {
      https: { keyPem: server.keyPem, certPem: server.certPem, caPem: ca.certPem },
      plugins: [core.plugin],
      logger: options.logger ?? false,
      log,
    });
    started = { core, app };
    let ready = false;
    // Until the scheduler and pools run, health says so (load balancers, the CLI, tests wait on it).
    app.addHook('onRequest', async (request, reply) => {
      if (!ready && request.url.split('?')[0] === '/api/v1/health') {
        return reply.code(503).send({ code: 'UNAVAILABLE', message: 'starting', details: {} });
      }
    });
    await app.listen({ port: options.port, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = `https://${urlHost(host)}:${port}`;
    const size = options.localGenerators ?? Math.max(2, availableParallelism());
    if (size > 0) {
      core.addLocalPool({
        size,
        maxSize: options.localMaxGenerators ?? Math.max(size, maxGenerators),
        controllerUrl: url,
        caFile: certFile,
        dataDir: join(options.dataDir, 'agents'),
        ...(options.localAgentCommand === undefined ? {} : { command: options.localAgentCommand }),
      });
    }
    await core.start({ intervalMs: options.tickIntervalMs ?? 250 });
    ready = true;
    log.info(`controller listening on ${url}`);
    let stopping: Promise<void> | null = null;
    return {
      url,
      caPem: ca.certPem,
      caFile: certFile,
      ...(adminToken === undefined ? {} : { adminToken }),
      services: core.services,
      core,
      app,
      stop: () => {
        stopping ??= (async () => {
          ready = false;
          await core.stop({ abortReason: 'controller stopped' });
          await app.close();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await started?.core.stop().catch(() => undefined);
    await started?.app.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}
