// Targets that refuse, reset, hang, speak garbage or send too much: every request must be
// recorded as failed with an error_code tag, and the process must finish normally (exit 0).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { describeResult, rateOf, readNdjson, readSummary, runCli, tempDir } from './harness.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const ITERATIONS = 6;

interface RawTarget {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw TCP target; `onSocket` decides what to do with each connection (after the request head). */
async function rawTarget(onSocket: (socket: Socket) => void): Promise<RawTarget> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        onSocket(socket);
      }
    };
    socket.on('data', onData);
  });
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const targets: Record<string, () => Promise<RawTarget>> = {
  refused: async () => {
    // A port that was open a moment ago and is closed now.
    const server = createServer();
    const url = await listen(server);
    await new Promise<void>((r) => server.close(() => r()));
    return { url, close: async () => {} };
  },
  'reset mid-response': () =>
    rawTarget((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\npartial body',
      );
      setTimeout(() => socket.resetAndDestroy(), 20);
    }),
  'never answering': () => rawTarget(() => {}),
  'malformed response': () =>
    rawTarget((socket) => {
      socket.end('THIS IS NOT HTTP AT ALL\r\n\x00\x01\x02garbage\r\n\r\n');
    }),
  'body over maxResponseBodyBytes': async () => {
    const big = Buffer.alloc(256 * 1024, 'x');
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': big.length });
      res.end(big);
    });
    const url = await listen(server);
    return {
      url,
      close: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  },
};

for (const [name, start] of Object.entries(targets)) {
  test(`${name}: every request fails with an error_code, run completes with exit 0`, async () => {
    const target = await start();
    const slug = name.replaceAll(' ', '-');
    const file = tmp.path(`${slug}.ts`);
    writeFileSync(
      file,
      `import { http, check } from 'stampede';
export const options = {
  scenarios: { s: { executor: 'shared-iterations', vus: 3, iterations: ${ITERATIONS}, maxDuration: '10s' } },
  httpTimeout: '500ms',
  maxResponseBodyBytes: 1024,
};
export default async function () {
  const res = await http.get(__ENV.TARGET + '/x');
  check(res, { 'has error_code': (r) => typeof r.error_code === 'string' && r.error_code !== '' });
}
`,
    );
    const summaryPath = tmp.path(`${slug}.json`);
    const ndjsonPath = tmp.path(`${slug}.ndjson`);
    try {
      const r = await runCli(
        [
          'run',
          file,
          '--quiet',
          '--workers',
          '1',
          '--summary-json',
          summaryPath,
          '--out',
          `json=${ndjsonPath}`,
        ],
        { env: { TARGET: target.url }, timeoutMs: 30_000 },
      );
      assert.equal(r.code, 0, describeResult(r));
      assert.doesNotMatch(r.stderr, /internal error|uncaught|unhandled/i, describeResult(r));
      const s = readSummary(summaryPath);
      const failed = rateOf(s, 'http_req_failed');
      assert.equal(failed.passes + failed.fails, ITERATIONS, 'one request per iteration');
      // rate = share of failed requests (k6 semantics: value 1 counts as a "pass" of the rate).
      assert.equal(failed.rate, 1, `http_req_failed ${JSON.stringify(failed)}`);
      const check = s.checks.find((c) => c.name === 'has error_code');
      assert.equal(check?.passes, ITERATIONS, 'res.error_code set on every response');
      const codes = new Set<string>();
      for (const snap of readNdjson(ndjsonPath))
        for (const series of snap.series)
          if (series.metric === 'http_reqs') {
            const code = series.tags['error_code'];
            assert.ok(code !== undefined && code !== '', `http_reqs series without error_code`);
            codes.add(code);
          }
      assert.ok(codes.size > 0, 'no http_reqs series in the NDJSON output');
    } finally {
      await target.close();
    }
  });
}
