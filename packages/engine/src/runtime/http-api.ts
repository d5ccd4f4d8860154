import { parseDurationMs, type Options } from '@stampede/protocol';
import type { MetricRegistry, SeriesHandle } from '../metrics/registry.ts';
import {
  emptyResponse,
  type HttpAgent,
  type HttpRequestSpec,
  type HttpResponse,
} from '../transport/http/index.ts';
import { currentIteration } from './context.ts';
import { hasSeparator, sampleTags, TagSetCache } from './sample-tags.ts';
import { ScriptResponse, type ResponseType } from './script-response.ts';

/** Per-request parameters a script may pass (k6 names). */
export interface RequestParams {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  /** Request timeout, ms or a duration string such as "5s". */
  timeout?: number | string;
  /** Redirects to follow (default options.maxRedirects). */
  redirects?: number;
  responseType?: ResponseType;
}

/** A request in `http.batch`: [method, url, body?, params?] or an object. */
export type BatchRequest =
  | [string, string, (string | Uint8Array | null)?, RequestParams?]
  | { method: string; url: string; body?: string | Uint8Array | null; params?: RequestParams };

type Body = string | Uint8Array | Record<string, unknown> | null | undefined;

/** What the http API needs from its surroundings. */
export interface HttpApiDeps {
  registry: MetricRegistry;
  /** The test's options; read per request because they are known only after the script loaded. */
  getOptions: () => Options;
  /** Agent used outside iterations (setup, teardown). */
  fallbackAgent: () => HttpAgent;
  /** Refuses targets outside an allow-list, when one is set; returns an error message or null. */
  checkTarget?: (url: URL) => string | null;
}

/** Recording handles of every metric one hop records, for one tag set. */
interface HopSeries {
  reqs: SeriesHandle;
  duration: SeriesHandle;
  serviceTime: SeriesHandle;
  blocked: SeriesHandle;
  connecting: SeriesHandle;
  tlsHandshaking: SeriesHandle;
  sending: SeriesHandle;
  waiting: SeriesHandle;
  receiving: SeriesHandle;
  failed: SeriesHandle;
  dataSent: SeriesHandle;
  dataReceived: SeriesHandle;
}

// URL checks are cached per URL text; a script with endless distinct URLs just refills the cache.
const URL_CACHE_SIZE = 1024;

/** Builds the `http` object scripts import from 'stampede'. */
export function createHttpApi(deps: HttpApiDeps) {
  const { registry } = deps;
  const hopSeries = new TagSetCache<HopSeries>();
  const urlChecks = new Map<string, [string, string] | null>();

  function checkUrlCached(url: string): [string, string] | null {
    let result = urlChecks.get(url);
    if (result === undefined) {
      result = checkUrl(url, deps.checkTarget);
      if (urlChecks.size >= URL_CACHE_SIZE) urlChecks.clear();
      urlChecks.set(url, result);
    }
    return result;
  }

  function recordHop(
    hop: HttpResponse,
    extra: Record<string, string> | undefined,
    durationMs: number,
    corrected: boolean,
  ): void {
    const failed = hop.errorCode !== null || hop.status === 0 || hop.status >= 400;
    const build = (base: Record<string, string>): HopSeries => {
      const tags: Record<string, string> = {
        ...base,
        method: hop.method,
        status: String(hop.status),
        name: base['name'] ?? hop.url,
        expected_response: failed ? 'false' : 'true',
      };
      if (hop.errorCode !== null) tags['error_code'] = hop.errorCode;
      return {
        reqs: registry.series('http_reqs', tags),
        duration: registry.series('http_req_duration', tags),
        serviceTime: registry.series('http_req_service_time', tags),
        blocked: registry.series('http_req_blocked', tags),
        connecting: registry.series('http_req_connecting', tags),
        tlsHandshaking: registry.series('http_req_tls_handshaking', tags),
        sending: registry.series('http_req_sending', tags),
        waiting: registry.series('http_req_waiting', tags),
        receiving: registry.series('http_req_receiving', tags),
        failed: registry.series('http_req_failed', tags),
        dataSent: registry.series('data_sent', base),
        dataReceived: registry.series('data_received', base),
      };
    };
    // The key holds everything build() adds to the sample tags (failed follows from the status
    // and the error code).
    const s =
      hasSeparator(String(hop.url)) || hasSeparator(hop.method)
        ? build(sampleTags(extra))
        : hopSeries.get(
            extra,
            `${hop.method}\u0000${hop.status}\u0000${hop.errorCode ?? ''}\u0000${hop.url}`,
            build,
          );
    const t = hop.timings;
    s.reqs.add(1);
    s.duration.add(durationMs);
    if (corrected) s.serviceTime.add(t.durationMs);
    s.blocked.add(t.blockedMs);
    s.connecting.add(t.connectingMs);
    s.tlsHandshaking.add(t.tlsHandshakingMs);
    s.sending.add(t.sendingMs);
    s.waiting.add(t.waitingMs);
    s.receiving.add(t.receivingMs);
    s.failed.add(failed ? 1 : 0);
    s.dataSent.add(hop.bytesSent);
    s.dataReceived.add(hop.bytesReceived);
  }

  async function request(
    method: string,
    url: string,
    body?: Body,
    params: RequestParams = {},
  ): Promise<ScriptResponse> {
    const options = deps.getOptions();
    const it = currentIteration();
    const agent = it ? it.vu.agent : deps.fallbackAgent();
    const upper = String(method).toUpperCase();
    const [payload, extraHeaders] = encodeBody(body);
    const headers = extraHeaders === null ? params.headers : { ...extraHeaders, ...params.headers };
    const responseType = params.responseType ?? (options.discardResponseBodies ? 'none' : 'text');
    const timeoutMs = params.timeout === undefined ? options.httpTimeout : toMs(params.timeout);
    const targetError = checkUrlCached(String(url));
    const lagMs = it?.correctLag ? it.startLagMs : 0;
    const corrected = it?.correctLag === true;
    let final: ScriptResponse | undefined;
    const onHop = (hop: HttpResponse): void => {
      const durationMs = hop.timings.durationMs + lagMs;
      recordHop(hop, params.tags, durationMs, corrected);
      final = new ScriptResponse(hop, responseType, durationMs);
    };
    if (targetError) {
      onHop(failedHop(upper, url, targetError[0], targetError[1]));
      return final as unknown as ScriptResponse;
    }
    const spec: HttpRequestSpec = {
      method: upper,
      url,
      body: payload,
      timeoutMs,
      maxRedirects: params.redirects ?? options.maxRedirects,
      insecureSkipTLSVerify: options.insecureSkipTLSVerify,
      discardBody: responseType === 'none',
      maxBodyBytes: options.maxResponseBodyBytes,
    };
    if (headers !== undefined) spec.headers = headers;
    if (it) spec.signal = it.signal;
    if (deps.checkTarget) spec.checkTarget = deps.checkTarget;
    const last = await agent.request(spec, onHop);
    return final ?? new ScriptResponse(last, responseType, last.timings.durationMs + lagMs);
  }

  return {
    request,
    get: (url: string, params?: RequestParams) => request('GET', url, null, params),
    head: (url: string, params?: RequestParams) => request('HEAD', url, null, params),
    options: (url: string, body?: Body, params?: RequestParams) =>
      request('OPTIONS', url, body, params),
    del: (url: string, body?: Body, params?: RequestParams) => request('DELETE', url, body, params),
    post: (url: string, body?: Body, params?: RequestParams) => request('POST', url, body, params),
    put: (url: string, body?: Body, params?: RequestParams) => request('PUT', url, body, params),
    patch: (url: string, body?: Body, params?: RequestParams) =>
      request('PATCH', url, body, params),
    /** Sends several requests in parallel on the VU's connections; resolves in input order. */
    batch: (requests: BatchRequest[]) =>
      Promise.all(
        requests.map((r) =>
          Array.isArray(r)
            ? request(r[0], r[1], r[2], r[3])
            : request(r.method, r.url, r.body, r.params),
        ),
      ),
  };
}

function encodeBody(body: Body): [string | Uint8Array | null, Record<string, string> | null] {
  if (body === undefined || body === null) return [null, null];
  if (typeof body === 'string' || body instanceof Uint8Array) return [body, null];
  // k6 sends a plain object as a form; JSON must be stringified by the script.
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) form.append(k, String(v));
  return [form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' }];
}

function toMs(timeout: number | string): number {
  const ms = parseDurationMs(timeout);
  if (ms === undefined)
    throw new TypeError(
      `invalid timeout ${JSON.stringify(timeout)} (use ms or a duration such as "5s")`,
    );
  return ms;
}

function checkUrl(url: string, checkTarget: HttpApiDeps['checkTarget']): [string, string] | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return ['EINVALIDURL', `invalid URL ${JSON.stringify(url)}`];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return ['EINVALIDURL', `unsupported protocol ${parsed.protocol} in ${url}`];
  }
  const refused = checkTarget ? checkTarget(parsed) : null;
  return refused === null ? null : ['ETARGET', refused];
}

function failedHop(method: string, url: string, code: string, message: string): HttpResponse {
  const hop = emptyResponse(url, method, performance.now());
  hop.errorCode = code;
  hop.error = message;
  return hop;
}
