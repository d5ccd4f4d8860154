// The REST client of the distributed tests (undici, trusting the controller's CA; raw answers so
// tests can look at error bodies) and readers of what the controller stored.
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { buildTestArchive } from '@stampede/engine';
import {
  intervalSnapshotSchema,
  runViewSchema,
  summarySchema,
  type IntervalSnapshot,
  type RunView,
  type Summary,
} from '@stampede/protocol';
import { openStore } from '@stampede/store';
import { delay } from './harness.ts';

/** Polls `cond` every 50 ms until it is truthy; throws with `what` after `ms`. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<NonNullable<T>> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (performance.now() > end) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await delay(50);
  }
}

/** An answer of the REST API. */
export interface ApiAnswer {
  status: number;
  /** Parsed JSON, or the text when not JSON. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Options of one raw API call. */
export interface ApiCallOptions {
  /** Bearer token; default the client's; null sends none. */
  token?: string | null;
  /** JSON body (serialized). */
  json?: unknown;
  /** Raw body, sent as is with `contentType`. */
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Bodies above this many bytes are sent in chunks that stop at an early answer. */
const LARGE_BODY_BYTES = 1024 * 1024;

/** A small REST client of one controller (no schema parsing: tests look at raw answers). */
export class Api {
  readonly url: string;
  readonly token: string;
  readonly #dispatcher: Agent;
  readonly #caPem: string;

  constructor(url: string, caPem: string, token: string) {
    this.url = url;
    this.token = token;
    this.#caPem = caPem;
    this.#dispatcher = new Agent({ connect: { ca: caPem }, keepAliveTimeout: 1000 });
  }

  /** Calls `/api/v1<path>`. */
  async call(method: string, path: string, o: ApiCallOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? this.token : o.token;
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let body: string | Uint8Array | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    } else if (o.raw !== undefined) {
      body = o.raw;
      if (o.contentType) headers['content-type'] = o.contentType;
    }
    if (body !== undefined && body.length > LARGE_BODY_BYTES) {
      return this.#callLarge(method, `${this.url}/api/v1${path}`, headers, body);
    }
    const answer = await request(`${this.url}/api/v1${path}`, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: this.#dispatcher,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await answer.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: answer.statusCode, body: parsed, headers: answer.headers };
  }

  // A server may answer a large body early (413 from the Content-Length alone) and close while
  // the client still sends: writing on would end in EPIPE and lose the answer (issue 13, item 2).
  // So the body goes out in chunks, each after the previous one was written, and sending stops
  // as soon as an answer arrives; a write error after the answer is expected and ignored.
  #callLarge(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array,
  ): Promise<ApiAnswer> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    return new Promise<ApiAnswer>((resolve, reject) => {
      let answered = false;
      const req = httpsRequest(url, {
        method,
        ca: this.#caPem,
        headers: { ...headers, 'content-length': String(bytes.length) },
        timeout: 30_000,
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      req.on('response', (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        const done = (): void => {
          let parsed: unknown = text;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        };
        res.on('end', done);
        res.on('error', done);
        res.on('aborted', done);
      });
      req.flushHeaders();
      const send = (offset: number): void => {
        if (answered || req.destroyed) return;
        if (offset >= bytes.length) {
          req.end();
          return;
        }
        const next = Math.min(offset + 64 * 1024, bytes.length);
        req.write(bytes.subarray(offset, next), (err) => {
          if (!err) setImmediate(() => send(next));
        });
      };
      send(0);
    });
  }

  /** Like `call` but throws unless the status is 2xx; answers the body. */
  async ok(method: string, path: string, o: ApiCallOptions = {}): Promise<unknown> {
    const a = await this.call(method, path, o);
    if (a.status < 200 || a.status > 299) {
      throw new Error(`${method} ${path}: HTTP ${a.status} ${JSON.stringify(a.body)}`);
    }
    return a.body;
  }

  /** A fresh join token (`name` `<pool>/<label>` puts the agent in that pool; else `static`). */
  async joinToken(name: string): Promise<string> {
    const b = (await this.ok('POST', '/join-tokens', { json: { name } })) as { token: string };
    return b.token;
  }

  /** Builds the archive of `file` and uploads it; answers its sha256. */
  async upload(file: string, env: Record<string, string> = {}): Promise<string> {
    const built = await buildTestArchive(file, { env });
    await this.ok('POST', '/archives', {
      raw: built.bytes,
      contentType: 'application/octet-stream',
    });
    return built.sha256;
  }

  /** Starts a run (pool `static` unless given) and answers its view. */
  async startRun(body: Record<string, unknown>): Promise<RunView> {
    return runViewSchema.parse(
      await this.ok('POST', '/runs', { json: { pool: 'static', ...body } }),
    );
  }

  /** The run's view. */
  async run(id: string): Promise<RunView> {
    return runViewSchema.parse(await this.ok('GET', `/runs/${id}`));
  }

  /** Waits until the run's status is one of `statuses`. */
  async waitStatus(id: string, statuses: readonly string[], ms: number): Promise<RunView> {
    let last: RunView | undefined;
    return waitFor(
      async () => {
        last = await this.run(id);
        return statuses.includes(last.status) ? last : undefined;
      },
      ms,
      () => `run ${id} to be ${statuses.join('|')} (is ${last?.status}: ${last?.statusReason})`,
    );
  }

  /** The run's stored summary (null until stored). */
  async summary(id: string): Promise<Summary | null> {
    const a = await this.call('GET', `/runs/${id}/summary`);
    return a.status === 200 ? summarySchema.parse(a.body) : null;
  }

  /** The run's transitions, oldest first. */
  async transitions(
    id: string,
  ): Promise<{ from: string | null; to: string; reason: string; atMs: number }[]> {
    const b = (await this.ok('GET', `/runs/${id}/transitions`)) as {
      items: { from: string | null; to: string; reason: string; atMs: number }[];
    };
    return b.items;
  }

  /** The generators (`query` e.g. "pool=static&includeRetired=true"). */
  async generators(
    query = '',
  ): Promise<{ id: string; name: string; status: string; runId: string | null; pool: string }[]> {
    const b = (await this.ok('GET', `/generators?${query}`)) as {
      items: { id: string; name: string; status: string; runId: string | null; pool: string }[];
    };
    return b.items;
  }

  /** Releases the connections. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

/** Reads a run's stored snapshots from a stopped controller's SQLite store. */
export async function storedSnapshots(dataDir: string, runId: string): Promise<IntervalSnapshot[]> {
  const store = await openStore(join(dataDir, 'stampede.db'));
  try {
    const rows = await store.listSnapshots(runId);
    return rows.map((r) => intervalSnapshotSchema.parse(JSON.parse(r.payloadJson)));
  } finally {
    await store.close();
  }
}

/** The summary a controller stored for `runId` (null when none), read from its SQLite file. */
export async function storedSummary(dataDir: string, runId: string): Promise<Summary | null> {
  const store = await openStore(join(dataDir, 'stampede.db'));
  try {
    const run = await store.getRun(runId);
    return run.summaryJson === null ? null : summarySchema.parse(JSON.parse(run.summaryJson));
  } finally {
    await store.close();
  }
}

/** Whether `body` has the API error shape `{ code, message, details }`. */
export function isApiError(body: unknown): body is {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b['code'] === 'string' &&
    typeof b['message'] === 'string' &&
    typeof b['details'] === 'object' &&
    b['details'] !== null
  );
}

/** Parsed JSON of a summary file (validated). */
export function parseSummary(text: string): Summary {
  return summarySchema.parse(JSON.parse(text));
}
