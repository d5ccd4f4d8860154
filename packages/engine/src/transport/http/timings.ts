import type { HttpTimings } from './types.ts';

/** Phase boundaries of one request attempt, as performance.now() ms; 0 means "not reached". */
export class TimingMarks {
  startMs: number;
  /** True when the request had to wait for a connection slot. */
  waited = false;
  acquiredMs = 0;
  connectStartMs = 0;
  connectedMs = 0;
  /** True when a TLS handshake was started for this attempt. */
  tls = false;
  tlsDoneMs = 0;
  sendStartMs = 0;
  sendEndMs = 0;
  firstByteMs = 0;
  lastByteMs = 0;

  constructor(startMs: number) {
    this.startMs = startMs;
  }

  /** Forgets everything after the start so a retried attempt is measured on its own. */
  resetForRetry(): void {
    this.acquiredMs = 0;
    this.connectStartMs = 0;
    this.connectedMs = 0;
    this.tls = false;
    this.tlsDoneMs = 0;
    this.sendStartMs = 0;
    this.sendEndMs = 0;
    this.firstByteMs = 0;
    this.lastByteMs = 0;
  }
}

// A phase that started but never ended (the request failed inside it) lasts until endMs, so a
// timed-out request shows where its time went.
function span(fromMs: number, toMs: number, endMs: number): number {
  if (fromMs === 0) return 0;
  const d = (toMs === 0 ? endMs : toMs) - fromMs;
  return d > 0 ? d : 0;
}

/** Turns marks into per-phase durations in ms; `endMs` closes a phase the request failed in. */
export function computeTimings(m: TimingMarks, endMs: number): HttpTimings {
  const sendingMs = span(m.sendStartMs, m.sendEndMs, endMs);
  const waitingMs = span(m.sendEndMs, m.firstByteMs, endMs);
  const receivingMs = span(m.firstByteMs, m.lastByteMs, endMs);
  return {
    blockedMs: m.waited ? span(m.startMs, m.acquiredMs, endMs) : 0,
    connectingMs: span(m.connectStartMs, m.connectedMs, endMs),
    tlsHandshakingMs: m.tls ? span(m.connectedMs, m.tlsDoneMs, endMs) : 0,
    sendingMs,
    waitingMs,
    receivingMs,
    durationMs: sendingMs + waitingMs + receivingMs,
  };
}
