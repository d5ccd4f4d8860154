// Issue 19 item 11: answers of the HTTP layer (431, 400, 417) have the API's error shape.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { apiErrorSchema } from '@stampede/protocol';
import { SqliteStore } from '@stampede/store';
import { withApi, type MakeStore } from './api/testing/harness.ts';

const sqlite: MakeStore = async (clock) => {
  const store = await SqliteStore.open(':memory:', { clock });
  return { store, close: () => store.close() };
};

/** Sends raw bytes and returns everything the server writes until it closes (bounded). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; got ${got.slice(0, 200)}`));
    }, 10_000);
    socket.on('data', (d) => (got += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.write(text);
  });
}

function parse(answer: string): { status: number; body: ReturnType<typeof apiErrorSchema.parse> } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  return { status, body: apiErrorSchema.parse(JSON.parse(body)) };
}

test('item 11: 431, 400 and 417 from the HTTP layer answer { code, message, details }', () =>
  withApi(sqlite, async (h) => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const huge = parse(
      await raw(
        port,
        `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      ),
    );
    assert.deepEqual([huge.status, huge.body.code], [431, 'HEADERS_TOO_LARGE']);
    const bad = parse(await raw(port, 'NOT HTTP AT ALL\r\n\r\n'));
    assert.deepEqual([bad.status, bad.body.code], [400, 'MALFORMED_REQUEST']);
    const expect = parse(
      await raw(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n'),
    );
    assert.deepEqual([expect.status, expect.body.code], [417, 'EXPECTATION_FAILED']);
  }));
