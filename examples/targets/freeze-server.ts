// A target that answers at once, except during "freeze" windows measured from its FIRST request:
// a request arriving inside a window [start, end) is held until the window ends. It reproduces a
// stalled server (GC pause, lock) to show coordinated omission. Run standalone with:
//   node examples/targets/freeze-server.ts --port 0 --windows 1500-2500,3500-4500
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of the freeze target. */
export interface FreezeServerOptions {
  port?: number;
  /** Freeze windows [startMs, endMs) relative to the first request. */
  windows: readonly (readonly [number, number])[];
}

/** A running freeze target. */
export interface RunningFreezeTarget {
  server: Server;
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Arrival time of every request relative to the first one, ms. */
  readonly arrivalsMs: readonly number[];
  close(): Promise<void>;
}

const BODY = Buffer.from('{"ok":true,"service":"stampede-freeze"}');

/** Starts the freeze target on 127.0.0.1 (port 0 picks a free one). */
export async function startFreezeServer(
  options: FreezeServerOptions,
): Promise<RunningFreezeTarget> {
  let t0: number | undefined;
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = performance.now();
      t0 ??= now;
      const at = now - t0;
      arrivals.push(at);
      const window = options.windows.find(([a, b]) => at >= a && at < b);
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
        res.end(BODY);
      };
      if (window) setTimeout(answer, Math.max(0, t0 + window[1] - performance.now()));
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
      return arrivals.length;
    },
    get arrivalsMs() {
      return arrivals;
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
  const windowsArg = process.argv.indexOf('--windows');
  const windows = (windowsArg > 0 ? (process.argv[windowsArg + 1] ?? '') : '1500-2500,3500-4500')
    .split(',')
    .filter((w) => w !== '')
    .map((w) => w.split('-').map(Number) as [number, number]);
  const target = await startFreezeServer({
    port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0,
    windows,
  });
  process.stdout.write(`${target.url}\n`);
}
