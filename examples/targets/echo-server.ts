// A small HTTP target for examples, docs, tests and benchmarks: answers every request on
// 127.0.0.1 with a fixed body, after an optional delay (?delayMs=N or --delay-ms N).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of the echo target. */
export interface EchoServerOptions {
  port?: number;
  /** Delay before every answer, ms (0 = none); a request's `delayMs` query parameter overrides it. */
  delayMs?: number;
}

/** A running echo target and its base URL. */
export interface RunningTarget {
  server: Server;
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const BODY = Buffer.from('{"ok":true,"service":"stampede-echo"}');

/** Starts the echo target on 127.0.0.1 (port 0 picks a free one). */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<RunningTarget> {
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const delay = Number(url.searchParams.get('delayMs') ?? options.delayMs ?? 0);
      const answer = (): void => {
        if (url.pathname === '/echo') {
          res.writeHead(200, {
            'content-type': req.headers['content-type'] ?? 'application/octet-stream',
          });
          res.end(Buffer.concat(chunks));
          return;
        }
        if (url.pathname.startsWith('/status/')) {
          res.writeHead(Number(url.pathname.slice(8)) || 500, { 'content-type': 'text/plain' });
          res.end('status');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
        res.end(BODY);
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portArg = process.argv.indexOf('--port');
  const delayArg = process.argv.indexOf('--delay-ms');
  const target = await startEchoServer({
    port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0,
    delayMs: delayArg > 0 ? Number(process.argv[delayArg + 1]) : 0,
  });
  process.stdout.write(`${target.url}\n`);
}
