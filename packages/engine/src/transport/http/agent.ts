import { CancelScope } from './cancel.ts';
import { dial } from './connect.ts';
import { Connection } from './connection.ts';
import type { ExchangeOptions } from './connection.ts';
import { HttpError, toHttpError } from './errors.ts';
import { OriginPool } from './pool.ts';
import type { Grant } from './pool.ts';
import { isRedirectStatus, originOf, redirectedRequest, resolveLocation } from './redirects.ts';
import { bodyToBuffer, serializeRequestHead } from './request-serializer.ts';
import { computeTimings, TimingMarks } from './timings.ts';
import type { HttpAgentOptions, HttpRequestSpec, HttpResponse } from './types.ts';

/** User-Agent sent when neither the agent options nor the request set one. */
export const DEFAULT_USER_AGENT = 'Stampede/0.1.0';

/** Connections per origin when the options do not say. */
export const DEFAULT_MAX_CONNECTIONS_PER_ORIGIN = 6;

// Parsed request URLs by their text: a script usually requests a few URLs over and over.
const urlCache = new Map<string, URL>();
const URL_CACHE_SIZE = 1024;
/** Request heads one agent (one VU) keeps for reuse. */
const HEAD_CACHE_SIZE = 16;

/** Parses an absolute URL (throws like `new URL`); the URL returned is shared, never mutate it. */
function parseUrl(text: string): URL {
  let url = urlCache.get(text);
  if (url === undefined) {
    url = new URL(text);
    if (urlCache.size >= URL_CACHE_SIZE) urlCache.clear();
    urlCache.set(text, url);
  }
  return url;
}

/** What a hop needs from its URL; URL's getters are slow enough to matter per request. */
interface UrlInfo {
  protocol: string;
  tls: boolean;
  href: string;
  /** Origin-form request target: path and query. */
  target: string;
  /** Host header value. */
  host: string;
  /** Host name or IP to connect to (IPv6 without brackets). */
  dialHost: string;
  port: number;
  origin: string;
  insecurePoolKey: string;
}

const urlInfos = new WeakMap<URL, UrlInfo>();

/** The parts of `url` a hop uses, worked out once per URL object (parsed URLs are shared). */
function urlInfo(url: URL): UrlInfo {
  let info = urlInfos.get(url);
  if (info === undefined) {
    const tls = url.protocol === 'https:';
    const hostname = url.hostname;
    const origin = originOf(url);
    info = {
      protocol: url.protocol,
      tls,
      href: url.href,
      target: url.pathname + url.search,
      host: url.host,
      dialHost: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
      port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
      origin,
      insecurePoolKey: `${origin} insecure`,
    };
    urlInfos.set(url, info);
  }
  return info;
}

/** One hop to send: the request after redirects were applied. */
interface Hop {
  url: URL;
  urlText: string;
  method: string;
  body: Buffer | null;
  stripCredentials: boolean;
  stripBodyHeaders: boolean;
}

/** A response with no status, no body and zero timings, to be filled in (or failed) by the caller. */
export function emptyResponse(url: string, method: string, startedAtMs: number): HttpResponse {
  return {
    url,
    method,
    status: 0,
    statusText: '',
    headers: {},
    body: null,
    timings: {
      blockedMs: 0,
      connectingMs: 0,
      tlsHandshakingMs: 0,
      sendingMs: 0,
      waitingMs: 0,
      receivingMs: 0,
      durationMs: 0,
    },
    startedAtMs,
    bytesSent: 0,
    bytesReceived: 0,
    errorCode: null,
    error: null,
    reusedConnection: false,
  };
}

function setError(res: HttpResponse, err: unknown): HttpResponse {
  const e = toHttpError(err);
  res.errorCode = e.code;
  res.error = e.message;
  return res;
}

function appendFields(target: Record<string, string>, extra: Record<string, string>): void {
  for (const name in extra) {
    const existing = target[name];
    const value = extra[name]!;
    if (existing === undefined) target[name] = value;
    else target[name] = existing + (name === 'set-cookie' ? '\n' : ', ') + value;
  }
}

/**
 * The HTTP/1.1 client of one virtual user: its own keep-alive connection pools (one per origin
 * and TLS-verification mode) and cookie jar.
 */
export class HttpAgent {
  readonly options: HttpAgentOptions;
  // Created on first use: a VU that never sends a request costs only this object.
  #pools: Map<string, OriginPool> | null = null;
  #inFlight: Set<CancelScope> | null = null;
  // Serialized heads of plain requests (no headers, body or cookies), by method and URL.
  #heads: Map<string, Buffer> | null = null;

  constructor(options: Partial<HttpAgentOptions> = {}) {
    this.options = {
      maxConnectionsPerOrigin: Math.max(
        1,
        Math.floor(options.maxConnectionsPerOrigin ?? DEFAULT_MAX_CONNECTIONS_PER_ORIGIN),
      ),
      keepAlive: options.keepAlive ?? true,
      cookieJar: options.cookieJar ?? null,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
    };
  }

  /** Sockets open or being opened, idle or in use, over all origins. */
  get openConnections(): number {
    let n = 0;
    for (const pool of this.#pools?.values() ?? []) n += pool.openCount;
    return n;
  }

  /**
   * Sends the request, following redirects; calls onHop for every hop (also the final one and
   * failed ones) and returns the final hop. Failures come back as errorCode: it rejects only if
   * onHop throws.
   */
  async request(spec: HttpRequestSpec, onHop?: (hop: HttpResponse) => void): Promise<HttpResponse> {
    let url: URL;
    try {
      url = parseUrl(spec.url);
    } catch {
      const res = emptyResponse(spec.url, spec.method, performance.now());
      setError(res, new HttpError('EINVALID', `invalid URL ${JSON.stringify(spec.url)}`));
      onHop?.(res);
      return res;
    }
    const firstOrigin = urlInfo(url).origin;
    const hop: Hop = {
      url,
      urlText: spec.url,
      method: spec.method,
      body: bodyToBuffer(spec.body),
      stripCredentials: false,
      stripBodyHeaders: false,
    };
    for (let redirects = 0; ; redirects++) {
      const res = await this.#sendHop(spec, hop);
      const location =
        res.errorCode === null && isRedirectStatus(res.status)
          ? res.headers['location']
          : undefined;
      const next = location === undefined ? null : resolveLocation(location, hop.url);
      if (next === null) {
        onHop?.(res);
        return res;
      }
      if (redirects >= spec.maxRedirects) {
        if (spec.maxRedirects > 0) {
          setError(res, new HttpError('EREDIRECTS', `stopped after ${redirects} redirects`));
        }
        onHop?.(res);
        return res;
      }
      const refused = spec.checkTarget?.(next) ?? null;
      if (refused !== null) {
        setError(res, new HttpError('ETARGET', `redirect refused: ${refused}`));
        onHop?.(res);
        return res;
      }
      onHop?.(res);
      const redirected = redirectedRequest(res.status, hop.method, hop.body);
      hop.url = next;
      hop.urlText = next.href;
      hop.method = redirected.method;
      hop.body = redirected.body;
      hop.stripBodyHeaders ||= redirected.bodyDropped;
      // Credentials the user set are meant for the first origin only; jar cookies still apply.
      hop.stripCredentials = originOf(next) !== firstOrigin;
    }
  }

  /** Closes every socket; requests in flight fail with 'EABORTED'. */
  close(): void {
    for (const scope of [...(this.#inFlight ?? [])]) {
      scope.cancel(new HttpError('EABORTED', 'agent closed'));
    }
    for (const pool of this.#pools?.values() ?? []) pool.closeIdle();
  }

  async #sendHop(spec: HttpRequestSpec, hop: Hop): Promise<HttpResponse> {
    const marks = new TimingMarks(performance.now());
    const res = emptyResponse(hop.urlText, hop.method, marks.startMs);
    const scope = new CancelScope();
    const signal = spec.signal;
    const onAbort = (): void => scope.cancel(new HttpError('EABORTED', 'request aborted'));
    if (signal !== undefined) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    const timer =
      spec.timeoutMs > 0
        ? setTimeout(
            () =>
              scope.cancel(
                new HttpError('ETIMEDOUT', `request timed out after ${spec.timeoutMs} ms`),
              ),
            spec.timeoutMs,
          )
        : undefined;
    const inFlight = (this.#inFlight ??= new Set());
    inFlight.add(scope);
    try {
      await this.#attempt(spec, hop, res, marks, scope);
    } catch (err) {
      setError(res, err);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      inFlight.delete(scope);
    }
    res.timings = computeTimings(marks, performance.now());
    return res;
  }

  async #attempt(
    spec: HttpRequestSpec,
    hop: Hop,
    res: HttpResponse,
    marks: TimingMarks,
    scope: CancelScope,
  ): Promise<void> {
    const url = hop.url;
    const info = urlInfo(url);
    const isTls = info.tls;
    if (!isTls && info.protocol !== 'http:') {
      throw new HttpError('EINVALID', `unsupported URL scheme ${info.protocol}`);
    }
    const jar = this.options.cookieJar;
    const jarCookies = jar === null ? '' : jar.getCookieStringSync(info.href);
    // A request with nothing but a method and a URL has the same head every time: reuse it.
    const plain =
      spec.headers === undefined &&
      jarCookies === '' &&
      hop.body === null &&
      !hop.stripCredentials &&
      !hop.stripBodyHeaders;
    const headKey = plain ? `${hop.method} ${info.href}` : '';
    let head = plain ? this.#heads?.get(headKey) : undefined;
    if (head === undefined) {
      head = serializeRequestHead({
        method: hop.method,
        target: info.target,
        host: info.host,
        userAgent: this.options.userAgent,
        headers: spec.headers,
        jarCookies,
        bodyLength: hop.body === null ? -1 : hop.body.length,
        keepAlive: this.options.keepAlive,
        stripCredentials: hop.stripCredentials,
        stripBodyHeaders: hop.stripBodyHeaders,
      });
      if (plain) {
        const heads = (this.#heads ??= new Map());
        if (heads.size >= HEAD_CACHE_SIZE) heads.clear();
        heads.set(headKey, head);
      }
    }
    const target = {
      host: info.dialHost,
      port: info.port,
      tls: isTls,
      rejectUnauthorized: !spec.insecureSkipTLSVerify,
      localAddress: this.options.localAddress,
    };
    const exchangeOptions: ExchangeOptions = {
      expectBody: hop.method !== 'HEAD',
      keepBody: !spec.discardBody,
      maxBodyBytes: spec.maxBodyBytes,
    };
    // A connection verified with one TLS mode must not serve requests of the other.
    const poolKey = isTls && spec.insecureSkipTLSVerify ? info.insecurePoolKey : info.origin;
    const pool = this.#pool(poolKey);

    for (let attempt = 0; ; attempt++) {
      if (scope.reason !== null) throw scope.reason;
      let grant: Grant | undefined = pool.tryAcquire(attempt === 0);
      if (grant === undefined) {
        marks.waited = true;
        grant = await pool.wait(attempt === 0, scope);
      }
      marks.acquiredMs = performance.now();
      if (scope.reason !== null) {
        if (grant === null) pool.releaseSlot();
        else pool.release(grant, true);
        throw scope.reason;
      }
      let conn: Connection;
      if (grant === null) {
        try {
          conn = new Connection(await dial(target, marks, scope));
        } catch (err) {
          pool.releaseSlot();
          throw err;
        }
        pool.adopt(conn);
      } else {
        conn = grant;
      }
      res.reusedConnection = conn.exchanges > 0;
      res.bytesSent = head.length + (hop.body === null ? 0 : hop.body.length);
      const result = await conn.exchange(head, hop.body, exchangeOptions, marks, scope);
      if (result.retryable && attempt === 0) {
        // Safe to resend only because no byte of a response arrived: see ExchangeResult.
        pool.release(conn, false);
        marks.resetForRetry();
        continue;
      }
      pool.release(conn, result.error === null && result.reusable && this.options.keepAlive);
      res.status = result.status;
      res.statusText = result.statusText;
      res.headers = result.headers;
      if (result.trailers !== null) appendFields(res.headers, result.trailers);
      res.body = result.body;
      res.bytesReceived = result.bytesReceived;
      if (result.error !== null) setError(res, result.error);
      const setCookie = result.status !== 0 ? result.headers['set-cookie'] : undefined;
      if (jar !== null && setCookie !== undefined) {
        for (const cookie of setCookie.split('\n')) {
          jar.setCookieSync(cookie, url.href, { ignoreError: true });
        }
      }
      return;
    }
  }

  #pool(key: string): OriginPool {
    const pools = (this.#pools ??= new Map());
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = new OriginPool(this.options.maxConnectionsPerOrigin);
      pools.set(key, pool);
    }
    return pool;
  }
}
