// Test fixtures: local servers on 127.0.0.1 port 0 and a request builder. Used by *.test.ts only.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { HttpRequestSpec } from './types.ts';

/** A running test server. */
export interface TestServer {
  /** Base URL such as http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: () => number;
  close: () => Promise<void>;
}

async function listen(
  server: NetServer | Server,
  scheme: string,
  sockets: Set<Socket>,
): Promise<TestServer> {
  let accepted = 0;
  server.on('connection', (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Starts a node:http server. */
export function startHttpServer(handler: RequestListener): Promise<TestServer> {
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 5000;
  return listen(server, 'http', new Set());
}

/** The self-signed certificate (CN=localhost, IP SAN 127.0.0.1) in testdata/. */
export function testCertificate(): { key: Buffer; cert: Buffer } {
  return {
    key: readFileSync(new URL('./testdata/key.pem', import.meta.url)),
    cert: readFileSync(new URL('./testdata/cert.pem', import.meta.url)),
  };
}

/** Starts a node:https server with the test certificate. */
export function startHttpsServer(handler: RequestListener): Promise<TestServer> {
  const server = createHttpsServer(testCertificate(), handler);
  // 'connection' on an https server reports the raw TCP sockets, as for http.
  return listen(server, 'https', new Set());
}

/** Starts a raw TCP server for hand-written responses. */
export function startRawServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const server = createNetServer((s) => {
    s.on('error', () => {});
    onSocket(s);
  });
  return listen(server, 'http', new Set());
}

/** A request spec with test defaults (GET, 5 s timeout, 10 redirects, 1 MiB body limit). */
export function spec(url: string, overrides: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
  return {
    method: 'GET',
    url,
    timeoutMs: 5000,
    maxRedirects: 10,
    insecureSkipTLSVerify: false,
    discardBody: false,
    maxBodyBytes: 1024 * 1024,
    ...overrides,
  };
}

/** Reads a raw request head (up to the blank line) from a socket, then calls `onHead`. */
export function onRequestHead(socket: Socket, onHead: (head: string) => void): void {
  let buffered = '';
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('latin1');
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return;
    socket.off('data', onData);
    onHead(buffered.slice(0, end + 4));
  };
  socket.on('data', onData);
}
