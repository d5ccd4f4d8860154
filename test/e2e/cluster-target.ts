// The counting HTTP target of the distributed tests: answers at once (or as told) and records
// every request with its arrival time (this process's performance.now()) and headers.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the counting target saw it. */
export interface Hit {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** performance.now() of this test process when the request head arrived. */
  atMs: number;
  remotePort: number;
}

/** A counting HTTP target: answers 200 at once and keeps every request. */
export interface CountingTarget {
  url: string;
  host: string;
  port: number;
  hits: Hit[];
  /** Hits whose path starts with `prefix` (all without). */
  select(prefix?: string): Hit[];
  count(prefix?: string): number;
  /** Hits after `atMs` (performance.now() time). */
  after(atMs: number, prefix?: string): Hit[];
  close(): Promise<void>;
}

/** How the counting target answers one request: status and headers (default 200 "ok"). */
export type Responder = (
  hit: Hit,
) => { status: number; headers?: Record<string, string> } | undefined;

/**
 * Starts a counting target on `host` (default 127.0.0.1), port 0 unless given; `respond` may
 * choose another answer (a redirect, an error) per request.
 */
export async function startCountingTarget(
  host = '127.0.0.1',
  port = 0,
  respond?: Responder,
): Promise<CountingTarget> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const hit: Hit = {
      path: req.url ?? '/',
      method: req.method ?? '',
      headers: req.headers,
      atMs: performance.now(),
      remotePort: req.socket.remotePort ?? 0,
    };
    hits.push(hit);
    req.resume();
    req.on('end', () => {
      const answer = respond?.(hit);
      res.writeHead(answer?.status ?? 200, {
        'content-type': 'text/plain',
        'content-length': '2',
        ...answer?.headers,
      });
      res.end('ok');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(port, host, r));
  const addr = server.address() as AddressInfo;
  const select = (prefix?: string): Hit[] =>
    prefix === undefined ? hits : hits.filter((h) => h.path.startsWith(prefix));
  return {
    url: `http://${host}:${addr.port}`,
    host,
    port: addr.port,
    hits,
    select,
    count: (prefix) => select(prefix).length,
    after: (atMs, prefix) => select(prefix).filter((h) => h.atMs > atMs),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The first hit time per value of header `name`. */
export function firstHitsBy(hits: readonly Hit[], name: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const h of hits) {
    const v = String(h.headers[name] ?? '');
    const t = first.get(v);
    if (t === undefined || h.atMs < t) first.set(v, h.atMs);
  }
  return first;
}
