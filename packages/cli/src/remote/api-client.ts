// The CLI's client of the controller's REST API (docs/api.md): bearer token, the controller's
// CA for TLS, answers parsed with the protocol schemas, errors turned into ApiCallError.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { API_PREFIX, apiErrorSchema } from '@stampede/protocol';

/** Where the controller is and how to authenticate, from flags or the environment. */
export interface ApiTarget {
  /** Base URL of the controller, e.g. https://127.0.0.1:7070. */
  url: string;
  /** API token (sta_…), from STAMPEDE_TOKEN unless given. */
  token: string | undefined;
  /** PEM of the controller's CA (from --ca-file or STAMPEDE_CA_FILE). */
  caPem: string | undefined;
}

/** A failed API call: the controller's error code and message, the HTTP status (0 = no answer). */
export class ApiCallError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.name = 'ApiCallError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Resolves the controller address, token and CA from flags, falling back to STAMPEDE_* variables. */
export function apiTarget(flags: {
  server?: string | undefined;
  token?: string | undefined;
  caFile?: string | undefined;
}): ApiTarget {
  const url = flags.server ?? process.env['STAMPEDE_SERVER'];
  if (!url) {
    throw new ApiCallError(
      0,
      'INVALID_INPUT',
      'no controller: pass --server URL or set STAMPEDE_SERVER',
      {},
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApiCallError(0, 'INVALID_INPUT', `--server: "${url}" is not a URL`, {});
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ApiCallError(0, 'INVALID_INPUT', `--server: "${url}" must be an https:// URL`, {});
  }
  const caFile = flags.caFile ?? process.env['STAMPEDE_CA_FILE'];
  let caPem: string | undefined;
  if (caFile) {
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new ApiCallError(
        0,
        'INVALID_INPUT',
        `--ca-file: cannot read ${caFile}: ${(error as Error).message}`,
        {},
      );
    }
  }
  return {
    url: url.replace(/\/+$/, ''),
    token: flags.token ?? process.env['STAMPEDE_TOKEN'],
    caPem,
  };
}

/** Options of one call. */
export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** JSON body, or raw bytes sent as application/octet-stream. */
  json?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A REST client bound to one controller. */
export class ApiClient {
  readonly target: ApiTarget;
  readonly #dispatcher: Agent;

  constructor(target: ApiTarget) {
    this.target = target;
    this.#dispatcher = new Agent({
      connect: target.caPem ? { ca: target.caPem } : {},
      keepAliveTimeout: 10_000,
    });
  }

  /** Calls `API_PREFIX + path` and parses the answer with `schema`; throws ApiCallError on a non-2xx answer. */
  async call<T extends z.ZodType>(
    path: string,
    schema: T,
    options: CallOptions = {},
  ): Promise<z.output<T>> {
    const body = await this.#send(path, options);
    return schema.parse(body);
  }

  /** Like `call` but answers null on 404. */
  async callOrNull<T extends z.ZodType>(
    path: string,
    schema: T,
    options: CallOptions = {},
  ): Promise<z.output<T> | null> {
    try {
      return await this.call(path, schema, options);
    } catch (error) {
      if (error instanceof ApiCallError && error.status === 404) return null;
      throw error;
    }
  }

  /** Releases the connections. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async #send(path: string, options: CallOptions): Promise<unknown> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.target.token) headers['authorization'] = `Bearer ${this.target.token}`;
    let body: string | Uint8Array | undefined;
    if (options.bytes) {
      body = options.bytes;
      headers['content-type'] = 'application/octet-stream';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    let answer;
    try {
      answer = await request(`${this.target.url}${API_PREFIX}${path}`, {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        ...(body === undefined ? {} : { body }),
        dispatcher: this.#dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      const cause = error as Error & { code?: string };
      throw new ApiCallError(
        0,
        'UNREACHABLE',
        `controller ${this.target.url} unreachable: ${cause.code ?? cause.message}${
          cause.code?.startsWith('UNABLE_TO_VERIFY') || cause.code === 'SELF_SIGNED_CERT_IN_CHAIN'
            ? ' (pass --ca-file <data-dir>/ca/ca.crt, the "CA certificate" file `stampede server` prints, or set STAMPEDE_CA_FILE)'
            : ''
        }`,
        {},
      );
    }
    const text = await answer.body.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (answer.statusCode >= 200 && answer.statusCode < 300) return parsed;
    const error = apiErrorSchema.safeParse(parsed);
    if (error.success) {
      throw new ApiCallError(
        answer.statusCode,
        error.data.code,
        error.data.message,
        error.data.details,
      );
    }
    throw new ApiCallError(answer.statusCode, 'HTTP_ERROR', `HTTP ${answer.statusCode}`, {});
  }
}
