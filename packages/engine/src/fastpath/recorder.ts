import type { MetricRegistry, SeriesHandle } from '../metrics/registry.ts';
import type { CompiledTemplate } from './template.ts';

/** The recording handles of one (template, status, error code) combination. */
interface RequestHandles {
  reqs: SeriesHandle;
  duration: SeriesHandle;
  blocked: SeriesHandle;
  connecting: SeriesHandle;
  tls: SeriesHandle;
  sending: SeriesHandle;
  waiting: SeriesHandle;
  receiving: SeriesHandle;
  service: SeriesHandle | null;
  failedRate: SeriesHandle;
  checks: SeriesHandle | null;
  failed: boolean;
  checkPass: boolean;
}

/** Phase durations of one request in ms (the same shape for every request, reused by callers). */
export interface FastTimings {
  /** Time waiting for a free connection before connecting (0 here). */
  blockedMs: number;
  connectingMs: number;
  tlsMs: number;
  sendingMs: number;
  waitingMs: number;
  receivingMs: number;
  /** Intended-start lag added to http_req_duration in arrival loops (0 in closed loops). */
  lagMs: number;
}

/** Records request and iteration samples through handles cached per (template, status, error code). */
export class FastRecorder {
  readonly #registry: MetricRegistry;
  readonly #templates: readonly CompiledTemplate[];
  readonly #base: Readonly<Record<string, string>>;
  readonly #corrected: boolean;
  readonly #byStatus = new Map<number, RequestHandles>();
  readonly #byError = new Map<string, RequestHandles>();
  readonly #dataSent: SeriesHandle;
  readonly #dataReceived: SeriesHandle;
  readonly #iterations: SeriesHandle;
  readonly #iterationDuration: SeriesHandle;
  readonly #dropped: SeriesHandle;
  readonly #sendLag: SeriesHandle;

  /** `corrected` adds http_req_service_time and the lag to http_req_duration (arrival loops). */
  constructor(
    registry: MetricRegistry,
    templates: readonly CompiledTemplate[],
    base: Readonly<Record<string, string>>,
    corrected: boolean,
  ) {
    this.#registry = registry;
    this.#templates = templates;
    this.#base = { ...base };
    this.#corrected = corrected;
    this.#dataSent = registry.series('data_sent', this.#base);
    this.#dataReceived = registry.series('data_received', this.#base);
    this.#iterations = registry.series('iterations', this.#base);
    this.#iterationDuration = registry.series('iteration_duration', this.#base);
    this.#dropped = registry.series('dropped_iterations', this.#base);
    this.#sendLag = registry.series('send_lag', this.#base);
  }

  #create(tpl: number, status: number, errorCode: string | null): RequestHandles {
    const t = this.#templates[tpl]!;
    const failed = errorCode !== null || status === 0 || status >= 400;
    const tags: Record<string, string> = {
      ...this.#base,
      method: t.method,
      status: String(status),
      name: this.#base['name'] ?? t.name,
      expected_response: failed ? 'false' : 'true',
    };
    if (errorCode !== null) tags['error_code'] = errorCode;
    const r = this.#registry;
    const h: RequestHandles = {
      reqs: r.series('http_reqs', tags),
      duration: r.series('http_req_duration', tags),
      blocked: r.series('http_req_blocked', tags),
      connecting: r.series('http_req_connecting', tags),
      tls: r.series('http_req_tls_handshaking', tags),
      sending: r.series('http_req_sending', tags),
      waiting: r.series('http_req_waiting', tags),
      receiving: r.series('http_req_receiving', tags),
      service: this.#corrected ? r.series('http_req_service_time', tags) : null,
      failedRate: r.series('http_req_failed', tags),
      checks: null,
      failed,
      checkPass: status === t.expectStatus,
    };
    if (t.expectStatus >= 0) {
      const check = `${t.name} status is ${t.expectStatus}`;
      h.checks = r.series('checks', { ...this.#base, check });
    }
    return h;
  }

  #handles(tpl: number, status: number, errorCode: string | null): RequestHandles {
    if (errorCode === null) {
      const key = tpl * 1024 + status;
      let h = this.#byStatus.get(key);
      if (h === undefined) {
        h = this.#create(tpl, status, null);
        this.#byStatus.set(key, h);
      }
      return h;
    }
    const key = `${tpl}\u0000${errorCode}`;
    let h = this.#byError.get(key);
    if (h === undefined) {
      h = this.#create(tpl, 0, errorCode);
      this.#byError.set(key, h);
    }
    return h;
  }

  /** Records one request of template `tpl`: a response with `status`, or an `errorCode` failure. */
  request(tpl: number, status: number, errorCode: string | null, t: FastTimings): boolean {
    const h = this.#handles(tpl, status, errorCode);
    const serviceMs = t.sendingMs + t.waitingMs + t.receivingMs;
    h.reqs.add(1);
    h.duration.add(serviceMs + t.lagMs);
    if (h.service !== null) h.service.add(serviceMs);
    h.blocked.add(t.blockedMs);
    h.connecting.add(t.connectingMs);
    h.tls.add(t.tlsMs);
    h.sending.add(t.sendingMs);
    h.waiting.add(t.waitingMs);
    h.receiving.add(t.receivingMs);
    h.failedRate.add(h.failed);
    if (h.checks !== null) h.checks.add(h.checkPass);
    return h.failed;
  }

  /** Counts bytes written to the network. */
  sent(bytes: number): void {
    this.#dataSent.add(bytes);
  }

  /** Counts bytes read from the network. */
  received(bytes: number): void {
    this.#dataReceived.add(bytes);
  }

  /** Records one completed pass over the templates that took `durationMs`. */
  iteration(durationMs: number): void {
    this.#iterations.add(1);
    this.#iterationDuration.add(durationMs);
  }

  /** Records arrivals that found no free connection. */
  dropped(count: number): void {
    this.#dropped.add(count);
  }

  /** Records how late (ms) an arrival's first request went out. */
  sendLag(lagMs: number): void {
    this.#sendLag.add(lagMs);
  }
}
