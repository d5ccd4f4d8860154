import type { HttpResponse } from '../transport/http/index.ts';

/** Per-phase timings of a response as scripts see them (k6 names), ms. */
export interface ScriptTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

/** How a script wants the body: text (default), binary (Uint8Array) or none (discarded). */
export type ResponseType = 'text' | 'binary' | 'none';

/** The response object scripts receive from `http.*` (k6 field names). */
export class ScriptResponse {
  readonly status: number;
  readonly status_text: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | null;
  readonly timings: ScriptTimings;
  readonly error: string;
  readonly error_code: string;
  readonly request: { readonly method: string; readonly url: string };
  #parsed: unknown;
  #hasParsed = false;

  constructor(res: HttpResponse, responseType: ResponseType, durationMs: number) {
    this.status = res.status;
    this.status_text = res.statusText;
    this.url = res.url;
    this.headers = res.headers;
    this.body =
      res.body === null || responseType === 'none'
        ? null
        : responseType === 'binary'
          ? new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength)
          : res.body.toString('utf8');
    const t = res.timings;
    this.timings = {
      blocked: t.blockedMs,
      connecting: t.connectingMs,
      tls_handshaking: t.tlsHandshakingMs,
      sending: t.sendingMs,
      waiting: t.waitingMs,
      receiving: t.receivingMs,
      duration: durationMs,
    };
    this.error = res.error ?? '';
    this.error_code = res.errorCode ?? '';
    this.request = { method: res.method, url: res.url };
  }

  /** Parses the body as JSON; with a dotted `selector` ("data.items.0.id") returns that part. */
  json(selector?: string): unknown {
    if (!this.#hasParsed) {
      if (this.body === null)
        throw new Error(`response of ${this.request.method} ${this.url} has no body`);
      const text = typeof this.body === 'string' ? this.body : new TextDecoder().decode(this.body);
      this.#parsed = JSON.parse(text);
      this.#hasParsed = true;
    }
    if (!selector) return this.#parsed;
    let value: unknown = this.#parsed;
    for (const part of selector.split('.')) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }
}
