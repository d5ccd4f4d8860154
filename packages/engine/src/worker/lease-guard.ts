// How a load worker obeys the lease gate: no socket of this thread connects or writes once the
// deadline passed (checked at the moment bytes would leave, so even callbacks that run first
// after the process resumes from SIGSTOP send nothing), no iteration starts, and a 50 ms timer
// stops the executors so the run ends and its last snapshot is still produced.
import { Socket } from 'node:net';
import type { ExecutorHost, ExecutorRunner } from '../executors/types.ts';
import { LeaseGate } from './lease-gate.ts';

/** How often a load worker looks at the gate to stop its executors, ms. */
export const LEASE_CHECK_INTERVAL_MS = 50;

/** Error code of a socket refused because the lease expired. */
export const LEASE_EXPIRED_CODE = 'ELEASE';

/** The lease gate as one load worker uses it. */
export interface LeaseGuard {
  /** Whether load may go out now. */
  isOpen(): boolean;
  /** Wraps an executor host so no iteration starts once the gate is closed. */
  gateHost(host: ExecutorHost): ExecutorHost;
  /** Starts the periodic check that stops `runners` (at once) when the gate closes. */
  watch(runners: () => readonly ExecutorRunner[]): void;
  /** Stops the periodic check. */
  unwatch(): void;
}

let socketsGuarded = false;

/**
 * Makes every socket of this thread refuse to connect or write while `isOpen()` is false. Each
 * worker thread has its own copy of node:net, so this touches only the load worker it runs in.
 */
function guardSockets(isOpen: () => boolean): void {
  if (socketsGuarded) return;
  socketsGuarded = true;
  const proto = Socket.prototype as unknown as Record<string, unknown>;
  const write = proto['write'] as (this: Socket, ...args: unknown[]) => boolean;
  const connect = proto['connect'] as (this: Socket, ...args: unknown[]) => Socket;
  const refusal = (): NodeJS.ErrnoException => {
    const error: NodeJS.ErrnoException = new Error('lease expired: load stopped');
    error.code = LEASE_EXPIRED_CODE;
    return error;
  };
  Object.defineProperty(Socket.prototype, 'write', {
    configurable: true,
    writable: true,
    value: function guardedWrite(this: Socket, ...args: unknown[]): boolean {
      if (isOpen()) return write.apply(this, args);
      this.destroy(refusal());
      return false;
    },
  });
  Object.defineProperty(Socket.prototype, 'connect', {
    configurable: true,
    writable: true,
    value: function guardedConnect(this: Socket, ...args: unknown[]): Socket {
      if (isOpen()) return connect.apply(this, args);
      // Fail like a refused connection, asynchronously, as callers expect of connect().
      process.nextTick(() => this.destroy(refusal()));
      return this;
    },
  });
}

/** Builds the guard of a load worker from the gate's shared memory; `onTrip` runs once when the gate is found closed. */
export function createLeaseGuard(buffer: SharedArrayBuffer, onTrip: () => void): LeaseGuard {
  const gate = LeaseGate.from(buffer);
  const isOpen = (): boolean => gate.isOpen();
  guardSockets(isOpen);
  let tripped = false;
  let timer: NodeJS.Timeout | undefined;
  let watched: () => readonly ExecutorRunner[] = () => [];
  const trip = (): void => {
    if (tripped) return;
    tripped = true;
    for (const r of watched()) r.stop(false);
    onTrip();
  };
  return {
    isOpen,
    gateHost(host) {
      return {
        ...host,
        runIteration(start) {
          if (isOpen()) return host.runIteration(start);
          trip();
          return Promise.resolve();
        },
      };
    },
    watch(runners) {
      watched = runners;
      if (!isOpen()) {
        trip();
        return;
      }
      timer = setInterval(() => {
        if (!isOpen()) trip();
      }, LEASE_CHECK_INTERVAL_MS);
    },
    unwatch() {
      clearInterval(timer);
    },
  };
}
