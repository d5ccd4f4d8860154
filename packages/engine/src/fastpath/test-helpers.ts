// Test fixtures of the fast path: a raw TCP responder and metric sums. Used by *.test.ts only.
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { MetricRegistry } from '../metrics/registry.ts';

/** A raw TCP server on 127.0.0.1 whose connection handler is the test's. */
export interface RawServer {
  port: number;
  close(): Promise<void>;
}

/** Starts a raw server calling `onSocket` for each connection. */
export async function startRawServer(onSocket: (s: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Metric totals of one snapshot: counter values and trend/rate counts, keyed `metric` and `metric{k=v,...}`. */
export function totals(registry: MetricRegistry): Map<string, number> {
  const out = new Map<string, number>();
  const bump = (key: string, n: number): void => {
    out.set(key, (out.get(key) ?? 0) + n);
  };
  for (const s of registry.snapshot('test', 0, 0, 0, []).series) {
    const n =
      s.type === 'counter'
        ? s.value
        : s.type === 'trend'
          ? s.count
          : s.type === 'rate'
            ? s.passes + s.fails
            : s.value;
    bump(s.metric, n);
    for (const [k, v] of Object.entries(s.tags)) {
      if (k === 'status' || k === 'error_code' || k === 'name') bump(`${s.metric}{${k}=${v}}`, n);
    }
  }
  return out;
}
