import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseScanner } from './response-scanner.ts';

/** Feeds `text` in pieces of `step` bytes; returns the scanner and the bytes left after the response. */
function scan(text: string, step: number, expectBody = true): [ResponseScanner, number] {
  const data = Buffer.from(text, 'latin1');
  const s = new ResponseScanner();
  s.reset(expectBody);
  for (let at = 0; at < data.length; at += step) {
    const piece = data.subarray(at, Math.min(data.length, at + step));
    const used = s.execute(piece, 0);
    if (s.complete) return [s, data.length - at - used];
  }
  return [s, 0];
}

const SPLITS = [1, 2, 3, 7, 1000];

test('content-length response, any split, stops at its end', () => {
  const text =
    'HTTP/1.1 200 OK\r\nServer: x\r\ncontent-LENGTH:  5 \r\nConnection: keep-alive\r\n\r\nhelloHTTP/1.1';
  for (const step of SPLITS) {
    const [s, rest] = scan(text, step);
    assert.equal(s.complete, true);
    assert.equal(s.status, 200);
    assert.equal(s.keepAlive, true);
    if (step === 1000) assert.equal(rest, 'HTTP/1.1'.length);
  }
});

test('chunked body with extensions and trailers', () => {
  const text =
    'HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;x=y\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n';
  for (const step of SPLITS) {
    const [s] = scan(text, step);
    assert.equal(s.complete, true, `step ${step}`);
    assert.equal(s.status, 201);
    assert.equal(s.keepAlive, true);
  }
});

test('Connection: close, HTTP/1.0, close-delimited and HEAD', () => {
  let [s] = scan('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n', 3);
  assert.equal(s.complete, true);
  assert.equal(s.keepAlive, false);
  [s] = scan('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', 1000);
  assert.equal(s.keepAlive, false);
  [s] = scan('HTTP/1.1 200 OK\r\n\r\nbody until close', 4);
  assert.equal(s.complete, false);
  assert.equal(s.closeDelimited, true);
  assert.equal(s.finish(), true);
  [s] = scan('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 5, false);
  assert.equal(s.complete, true);
});

test('interim 100 Continue is skipped', () => {
  const [s] = scan('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', 2);
  assert.equal(s.complete, true);
  assert.equal(s.status, 204);
});

test('malformed input throws EPARSE', () => {
  for (const bad of [
    'HTTX/1.1 200 OK\r\n\r\n',
    'HTTP/1.1 2x0 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n',
  ]) {
    assert.throws(() => scan(bad, 1000), { code: 'EPARSE' }, bad);
  }
});
