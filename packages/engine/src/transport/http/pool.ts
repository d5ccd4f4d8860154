import type { CancelScope } from './cancel.ts';
import type { Connection } from './connection.ts';

/** What a request gets from the pool: an idle connection, or null = a slot to open a new one. */
export type Grant = Connection | null;

interface Waiter {
  allowIdle: boolean;
  resolve: (grant: Grant) => void;
}

/**
 * The keep-alive connections of one origin, with at most `maxConnections` open (or opening)
 * at a time; requests beyond it wait in FIFO order.
 */
export class OriginPool {
  readonly maxConnections: number;
  #idle: Connection[] = [];
  // Connections open or being opened: idle, in use, or dialing.
  #slots = 0;
  #waiters: Waiter[] = [];

  constructor(maxConnections: number) {
    this.maxConnections = maxConnections;
  }

  /** Connections open or being opened, idle or in use. */
  get openCount(): number {
    return this.#slots;
  }

  /**
   * Takes an idle connection (unless `allowIdle` is false) or a slot for a new one without
   * waiting; undefined when the request has to wait.
   */
  tryAcquire(allowIdle: boolean): Grant | undefined {
    if (allowIdle) {
      // Most recently used first: the least likely to have been closed by the server.
      const conn = this.#idle.pop();
      if (conn !== undefined) {
        conn.socket.ref();
        return conn;
      }
    }
    if (this.#slots < this.maxConnections) {
      this.#slots++;
      return null;
    }
    if (this.#idle.length > 0) {
      // A retry wants a fresh connection: trade the oldest idle one for its slot.
      this.#idle.shift()!.destroy();
      return null;
    }
    return undefined;
  }

  /** Waits for a grant in FIFO order; rejects with the reason if `scope` is cancelled first. */
  wait(allowIdle: boolean, scope: CancelScope): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = {
        allowIdle,
        resolve: (grant) => {
          scope.setHook(null);
          resolve(grant);
        },
      };
      this.#waiters.push(waiter);
      scope.setHook((reason) => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(reason);
      });
    });
  }

  /** Starts tracking a newly opened connection so it leaves the pool when its socket closes. */
  adopt(conn: Connection): void {
    conn.onClosed = (c) => this.#dropIdle(c);
  }

  /** Returns a connection after an exchange: kept for reuse, or closed to free its slot. */
  release(conn: Connection, reusable: boolean): void {
    if (reusable && !conn.dead) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) {
        // An idle socket must not keep the process alive if the owner forgets close().
        conn.socket.unref();
        this.#idle.push(conn);
      } else if (waiter.allowIdle) {
        waiter.resolve(conn);
      } else {
        conn.destroy();
        waiter.resolve(null);
      }
      return;
    }
    conn.destroy();
    this.releaseSlot();
  }

  /** Gives up a slot (failed dial, closed connection), handing it to the first waiter. */
  releaseSlot(): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(null);
    else this.#slots--;
  }

  /** Closes every idle connection. */
  closeIdle(): void {
    for (const conn of this.#idle.splice(0)) {
      conn.destroy();
      this.releaseSlot();
    }
  }

  #dropIdle(conn: Connection): void {
    const i = this.#idle.indexOf(conn);
    if (i < 0) return;
    this.#idle.splice(i, 1);
    this.releaseSlot();
  }
}
