// HTTPS to the controller: mutual TLS with the agent's certificate (or server-only TLS for
// enrollment), JSON bodies validated with the protocol schemas, a timeout on every request, and
// jittered retries for the requests that may be repeated safely.
import { Agent, request } from 'undici';
import type { ZodType } from 'zod';
import { AgentError } from './errors.ts';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from './retry.ts';

/** TLS material of the connection; without `certPem`/`keyPem` no client certificate is sent. */
export interface TlsMaterial {
  /** CA that issued the controller's server certificate; absent with `insecure` (trust on first use). */
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  /** Accept any server certificate: only for the first enrollment without a pinned CA. */
  insecure?: boolean;
}

/** One JSON call. */
export interface JsonCall<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Schema of the answer. */
  schema: ZodType<T>;
  timeoutMs: number;
  /** Whether the request may be repeated safely (then it is retried on network errors, 5xx, 408, 429). */
  idempotent: boolean;
  /** Attempts in all for an idempotent request (default 4). */
  attempts?: number;
  signal?: AbortSignal;
}

/** Options of a client besides the URL and TLS. */
export interface ClientOptions {
  backoff?: BackoffPolicy;
  random?: () => number;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Whether an error of a call is worth retrying (the request may not have been processed, or the controller is busy). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof AgentError)) return false;
  if (error.code === 'NETWORK' || error.code === 'TIMEOUT') return true;
  return error.code === 'HTTP_STATUS' && RETRY_STATUS.has(Number(error.details['status']));
}

/** The agent's HTTP client of one controller. */
export class ControllerClient {
  readonly baseUrl: string;
  readonly #options: ClientOptions;
  #dispatcher: Agent;

  constructor(baseUrl: string, tls: TlsMaterial, options: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#options = options;
    this.#dispatcher = dispatcherFor(tls);
  }

  /** Switches to new TLS material (a renewed certificate); requests in flight finish on the old one. */
  setTls(tls: TlsMaterial): void {
    const old = this.#dispatcher;
    this.#dispatcher = dispatcherFor(tls);
    void old.close().catch(() => undefined);
  }

  /** Sends one JSON request and returns the validated answer, retrying idempotent ones. */
  async json<T>(call: JsonCall<T>): Promise<T> {
    return this.#withRetries(call, async (signal) => {
      const res = await this.#send(call.method, call.path, call.body, call.timeoutMs, signal);
      const text = await res.body.text();
      if (res.statusCode >= 400) throw statusError(call, res.statusCode, text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AgentError('INVALID_RESPONSE', `${call.method} ${call.path}: answer is not JSON`);
      }
      const parsed = call.schema.safeParse(json);
      if (!parsed.success) {
        throw new AgentError(
          'INVALID_RESPONSE',
          `${call.method} ${call.path}: unexpected answer: ${parsed.error.issues[0]?.message ?? ''}`,
        );
      }
      return parsed.data;
    });
  }

  /** GETs raw bytes (the test archive), retried like any idempotent request. */
  async bytes(
    path: string,
    options: { timeoutMs: number; attempts?: number; signal?: AbortSignal },
  ): Promise<Uint8Array> {
    const call = { method: 'GET' as const, path, idempotent: true, ...options };
    return this.#withRetries(call, async (signal) => {
      const res = await this.#send('GET', path, undefined, options.timeoutMs, signal);
      if (res.statusCode >= 400) throw statusError(call, res.statusCode, await res.body.text());
      return new Uint8Array(await res.body.arrayBuffer());
    });
  }

  /** Closes the connections (requests in flight fail). */
  async close(): Promise<void> {
    await this.#dispatcher.destroy().catch(() => undefined);
  }

  async #withRetries<T>(
    call: {
      method: string;
      path: string;
      idempotent: boolean;
      attempts?: number;
      signal?: AbortSignal;
    },
    once: (signal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    const attempts = call.idempotent ? Math.max(1, call.attempts ?? 4) : 1;
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(call.signal);
      } catch (error) {
        if (call.signal?.aborted) throw new AgentError('STOPPED', 'the agent is stopping');
        if (attempt + 1 >= attempts || !isRetryable(error)) throw error;
        const delay = backoffDelayMs(
          attempt,
          this.#options.backoff ?? DEFAULT_BACKOFF,
          this.#options.random,
        );
        await sleep(delay, call.signal);
      }
    }
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await request(`${this.baseUrl}${path}`, {
        method,
        dispatcher: this.#dispatcher,
        signal: combined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      if (signal?.aborted) throw new AgentError('STOPPED', 'the agent is stopping');
      if (timeout.aborted) {
        throw new AgentError('TIMEOUT', `${method} ${path}: no answer within ${timeoutMs} ms`);
      }
      const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const code = e.code ?? e.cause?.code ?? e.name;
      throw new AgentError('NETWORK', `${method} ${path}: ${code}: ${e.message}`, { cause: code });
    }
  }
}

function dispatcherFor(tls: TlsMaterial): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    connect: {
      ...(tls.caPem !== undefined ? { ca: tls.caPem } : {}),
      ...(tls.certPem !== undefined ? { cert: tls.certPem } : {}),
      ...(tls.keyPem !== undefined ? { key: tls.keyPem } : {}),
      rejectUnauthorized: tls.insecure !== true,
    },
  });
}

function statusError(
  call: { method: string; path: string },
  status: number,
  text: string,
): AgentError {
  let code = '';
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not the controller's error body: keep the text.
  }
  return new AgentError(
    'HTTP_STATUS',
    `${call.method} ${call.path}: ${status}${code ? ` ${code}` : ''}: ${message}`,
    { status, code },
  );
}

/** Waits `ms`, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
