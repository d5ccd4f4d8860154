/** One request as the engine asks for it; the agent follows redirects from it. */
export interface HttpRequestSpec {
  /** Upper-case verb. */
  method: string;
  /** Absolute http:// or https:// URL. */
  url: string;
  /** Header names keep their case on the wire; an array sends the header once per value. */
  headers?: Record<string, string | string[]>;
  /** A string is sent UTF-8 encoded. */
  body?: string | Uint8Array | null;
  /** Limit in ms for each hop as a whole, connect included; 0 = none. */
  timeoutMs: number;
  /** 0 = do not follow redirects. */
  maxRedirects: number;
  insecureSkipTLSVerify: boolean;
  /** Read and count body bytes but do not keep them. */
  discardBody: boolean;
  /** Largest kept body in bytes (0 = no limit); larger ones fail with 'EBODYTOOLARGE'. */
  maxBodyBytes: number;
  /** Aborting fails the request with 'EABORTED' (an AbortSignal, or a VU's iteration signal). */
  signal?: AbortSignalLike;
  /**
   * The run's allow-list, applied to every redirect target: a message refuses the hop (the
   * redirect response is returned with 'ETARGET'), null lets it go.
   */
  checkTarget?: (url: URL) => string | null;
}

/** Per-phase durations of one hop, all in ms (fractional, from performance.now()). */
export interface HttpTimings {
  /** Waiting for a free connection slot of this agent (0 when one was free). */
  blockedMs: number;
  /** DNS + TCP connect (0 on a reused connection). */
  connectingMs: number;
  /** TLS handshake (0 for http or a reused connection). */
  tlsHandshakingMs: number;
  /** Writing the request. */
  sendingMs: number;
  /** After sending until the first byte of the response (TTFB). */
  waitingMs: number;
  /** First byte to last byte of the response. */
  receivingMs: number;
  /** sendingMs + waitingMs + receivingMs (k6 semantics). */
  durationMs: number;
}

/** The outcome of one hop (one request/response exchange), successful or not. */
export interface HttpResponse {
  /** URL of this hop. */
  url: string;
  method: string;
  /** 0 when no response head was received. */
  status: number;
  statusText: string;
  /**
   * Lower-case names (null-prototype object); repeated fields joined with ", ", except
   * set-cookie joined with "\n". Trailer fields of a chunked body are merged in the same way.
   */
  headers: Record<string, string>;
  /** Null when discarded or on error. */
  body: Buffer | null;
  timings: HttpTimings;
  /** performance.now() ms when the hop began (before blocked). */
  startedAtMs: number;
  /** HTTP bytes written for this hop: head and body (TLS overhead not included). */
  bytesSent: number;
  /** HTTP bytes read for this hop incl. head and interim 1xx responses, also for failed hops. */
  bytesReceived: number;
  /** Null on success (any status), otherwise a stable code (see HttpErrorCode). */
  errorCode: string | null;
  /** Human-readable message of the failure. */
  error: string | null;
  reusedConnection: boolean;
}

/** Settings of one agent (one per virtual user). */
export interface HttpAgentOptions {
  /** Open connections per origin (default 6); requests beyond it wait, counted as blocked. */
  maxConnectionsPerOrigin: number;
  /** False sends "Connection: close" on each request (default true). */
  keepAlive: boolean;
  /** Applied on every hop; Set-Cookie of every hop is stored. Null disables cookies. */
  cookieJar: CookieStore | null;
  /** Default User-Agent header unless the request sets one; '' sends none. */
  userAgent: string;
  /** Local interface address to bind outgoing sockets to. */
  localAddress?: string;
}

/**
 * What the agent needs of a cookie jar (a tough-cookie CookieJar fits), so a VU can create its
 * real jar only when the first cookie arrives.
 */
export interface CookieStore {
  getCookieStringSync(url: string): string;
  setCookieSync(cookie: string, url: string, options: { ignoreError: boolean }): unknown;
}

/** The part of an AbortSignal the agent uses. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
