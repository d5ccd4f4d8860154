// Test harness of the REST API: the app over a real store, recorders standing in for the
// scheduler and the pools (the seam to their code), tokens of each scope, and helpers.
import type { RunLive, TestArchive } from '@stampede/protocol';
import {
  GENERATOR_STATUSES,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  type Store,
} from '@stampede/store';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../app.ts';
import { CertificateAuthority, createApiToken } from '../../ca/index.ts';
import type {
  ControllerConfig,
  ControllerServices,
  PoolControl,
  RunControl,
} from '../../services.ts';

/** A settable wall clock shared by the store and the controller, Unix epoch ms. */
export interface SettableClock {
  t: number;
  nowMs(): number;
}

/** A clock frozen at `t` until assigned. */
export function settableClock(t = 1_700_000_000_000): SettableClock {
  return {
    t,
    nowMs() {
      return this.t;
    },
  };
}

/** Opens a fresh, empty store on `clock`; `close` also removes the database. */
export type MakeStore = (clock: SettableClock) => Promise<{ store: Store; close(): Promise<void> }>;

/** The scheduler seam: records calls; an abort marks the run aborted as the real one would. */
export class RecordingRunControl implements RunControl {
  wakes = 0;
  readonly aborts: { runId: string; reason: string; actor: string }[] = [];
  readonly liveViews = new Map<string, RunLive>();
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }
  wake(): void {
    this.wakes++;
  }
  async abortRun(runId: string, reason: string, actor: string): Promise<void> {
    this.aborts.push({ runId, reason, actor });
    const live = RUN_STATUSES.filter((s) => !TERMINAL_RUN_STATUSES.includes(s));
    await this.#store.transitionRun(runId, live, 'aborted', reason, null);
  }
  live(runId: string): RunLive | null {
    return this.liveViews.get(runId) ?? null;
  }
}

/** The pools seam: records calls; a terminate marks the generator terminating. */
export class RecordingPoolControl implements PoolControl {
  readonly terminations: { generatorId: string; reason: string; actor: string }[] = [];
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }
  async terminateGenerator(generatorId: string, reason: string, actor: string): Promise<void> {
    this.terminations.push({ generatorId, reason, actor });
    const from = GENERATOR_STATUSES.filter((s) => s !== 'terminated' && s !== 'terminating');
    await this.#store.setGeneratorStatus(generatorId, from, 'terminating');
  }
}

/** Caps and allow-list of test installations. */
export const TEST_CONFIG: ControllerConfig = {
  allowTargets: ['api.example.com', 'shop.example.com:8443'],
  allowLoopback: true,
  maxDurationMs: 3_600_000,
  maxRatePerSec: 10_000,
  maxGenerators: 4,
  maxArchiveBytes: 64 * 1024,
  leaseMs: 10_000,
  defaultPool: 'local',
};

let sharedCa: Promise<CertificateAuthority> | undefined;

/** One CA for every test of the process (key generation is the slow part). */
export function testCa(clock: SettableClock): Promise<CertificateAuthority> {
  sharedCa ??= CertificateAuthority.create({ commonName: 'Stampede test CA', clock });
  return sharedCa;
}

/** Everything a test drives: the app, the store, the recorders and one token per scope. */
export interface ApiHarness {
  app: FastifyInstance;
  store: Store;
  clock: SettableClock;
  services: ControllerServices;
  runs: RecordingRunControl;
  pools: RecordingPoolControl;
  /** Bearer tokens: admin, read, run, and read+run. */
  tokens: { admin: string; read: string; run: string; readRun: string };
}

async function apiToken(store: Store, name: string, scopes: string[]): Promise<string> {
  const minted = createApiToken();
  await store.createApiToken({ name, tokenHash: minted.hash, scopes });
  return minted.token;
}

/** Runs `fn` with a harness over a fresh store, closing app and store after. */
export async function withApi(
  makeStore: MakeStore,
  fn: (h: ApiHarness) => Promise<void>,
  options: { config?: Partial<ControllerConfig>; app?: BuildAppOptions } = {},
): Promise<void> {
  const clock = settableClock();
  const { store, close } = await makeStore(clock);
  let app: FastifyInstance | undefined;
  try {
    const runs = new RecordingRunControl(store);
    const pools = new RecordingPoolControl(store);
    const services: ControllerServices = {
      store,
      clock,
      ca: await testCa(clock),
      config: { ...TEST_CONFIG, ...options.config },
      runs,
      pools,
    };
    const tokens = {
      admin: await apiToken(store, 'admin', ['admin']),
      read: await apiToken(store, 'reader', ['read']),
      run: await apiToken(store, 'runner', ['run']),
      readRun: await apiToken(store, 'ci', ['read', 'run']),
    };
    app = buildApp(services, options.app ?? {});
    await app.ready();
    await fn({ app, store, clock, services, runs, pools, tokens });
  } finally {
    await app?.close();
    await close();
  }
}

/** The bytes of a test archive with `script` and `targets`. */
export function archiveBytes(
  script = 'export default async function () {}\n',
  targets: string[] = [],
  extra: Partial<TestArchive> = {},
): Buffer {
  const archive: TestArchive = {
    v: 1,
    scriptName: 'test.ts',
    script,
    files: {},
    targets,
    ...extra,
  };
  return Buffer.from(JSON.stringify(archive));
}

/** A request through inject() with a bearer token and a JSON body (or raw bytes). */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  options: {
    token?: string;
    json?: unknown;
    raw?: string | Buffer;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.raw !== undefined) {
    payload = options.raw;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  }
  return app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
}

/** Uploads an archive with the run token and returns its SHA-256. */
export async function upload(h: ApiHarness, bytes: Buffer = archiveBytes()): Promise<string> {
  const res = await call(h.app, 'POST', '/api/v1/archives', {
    token: h.tokens.run,
    raw: bytes,
    contentType: 'application/octet-stream',
  });
  if (res.statusCode !== 201 && res.statusCode !== 200) {
    throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  }
  return (res.json() as { sha256: string }).sha256;
}

/** Everything the API can change in the store, as one comparable text. */
export async function storeSnapshot(store: Store): Promise<string> {
  const runs = (await store.listRuns({ limit: 500 })).items;
  const transitions = [];
  for (const r of runs) transitions.push(await store.listRunTransitions(r.id));
  return JSON.stringify({
    runs,
    transitions,
    generators: await store.listGenerators({ includeRetired: true }),
    apiTokens: await store.listApiTokens(),
    joinTokens: await store.listJoinTokens(),
    audit: await store.listAudit({ limit: 1000 }),
    jobs: await store.listJobs({ limit: 1000 }),
  });
}
