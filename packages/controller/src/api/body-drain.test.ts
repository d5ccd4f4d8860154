// Issue 19 item 5: an early 413 (Content-Length over the limit) is answered once the client has
// sent its body, so a client that writes everything before reading gets the 413, not EPIPE.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { apiErrorSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import { withApi, type MakeStore } from './testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

test('item 5: a 413 arrives after the body was sent, with the limit', () =>
  withApi(sqlite, async (h) => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const chunk = Buffer.alloc(100 * 1024, 0x20);
    const chunks = 30; // 3 MiB against the 1 MiB JSON limit, sent over about 300 ms
    const result = await new Promise<{ status: number; body: string; finishedFirst: boolean }>(
      (resolve, reject) => {
        let finished = false;
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/runs',
            method: 'POST',
            headers: {
              authorization: `Bearer ${h.tokens.run}`,
              'content-type': 'application/json',
              'content-length': chunk.length * chunks,
            },
          },
          (res) => {
            const finishedFirst = finished;
            let body = '';
            res.on('data', (d) => (body += String(d)));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, finishedFirst }));
          },
        );
        req.on('error', reject);
        req.on('finish', () => (finished = true));
        let sent = 0;
        const timer = setInterval(() => {
          req.write(chunk);
          if (++sent === chunks) {
            clearInterval(timer);
            req.end();
          }
        }, 10);
        req.on('close', () => clearInterval(timer));
      },
    );
    assert.equal(result.status, 413, result.body);
    const err = apiErrorSchema.parse(JSON.parse(result.body));
    assert.equal(err.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(err.details['limitBytes'], 1024 * 1024);
    assert.ok(result.finishedFirst, 'the answer came before the client had sent its body');
  }));
