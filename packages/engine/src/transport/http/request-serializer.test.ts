import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from './errors.ts';
import { bodyToBuffer, serializeRequestHead } from './request-serializer.ts';
import type { RequestHeadInput } from './request-serializer.ts';

function head(overrides: Partial<RequestHeadInput>): string {
  return serializeRequestHead({
    method: 'GET',
    target: '/p?q=1',
    host: 'example.com:8080',
    userAgent: 'ua/1',
    headers: undefined,
    jarCookies: '',
    bodyLength: -1,
    keepAlive: true,
    stripCredentials: false,
    stripBodyHeaders: false,
    ...overrides,
  }).toString('latin1');
}

describe('serializeRequestHead', () => {
  it('writes the request line, Host, User-Agent, user headers and Connection', () => {
    assert.equal(
      head({ headers: { 'X-Case': 'v', Accept: ['a', 'b'] } }),
      'GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: ua/1\r\n' +
        'X-Case: v\r\nAccept: a\r\nAccept: b\r\nConnection: keep-alive\r\n\r\n',
    );
  });

  it('adds Content-Length for bodies and for POST/PUT/PATCH without one', () => {
    assert.match(head({ method: 'POST', bodyLength: 12 }), /\r\nContent-Length: 12\r\n/);
    assert.match(head({ method: 'PUT' }), /\r\nContent-Length: 0\r\n/);
    assert.doesNotMatch(head({ method: 'GET' }), /Content-Length/);
    assert.doesNotMatch(head({ method: 'DELETE' }), /Content-Length/);
  });

  it('lets the user override Host and User-Agent but not framing headers', () => {
    const text = head({
      keepAlive: false,
      bodyLength: 3,
      headers: {
        host: 'virtual.test',
        'user-agent': 'mine',
        'Content-Length': '99',
        'Transfer-Encoding': 'chunked',
        Connection: 'upgrade',
      },
    });
    assert.doesNotMatch(text, /example\.com|ua\/1|99|chunked|upgrade/);
    assert.match(text, /host: virtual\.test\r\nuser-agent: mine\r\n/);
    assert.match(text, /Content-Length: 3\r\nConnection: close\r\n\r\n$/);
  });

  it('merges jar cookies and strips credentials or body headers when asked', () => {
    assert.match(head({ jarCookies: 'a=1' }), /\r\nCookie: a=1\r\n/);
    assert.match(
      head({ jarCookies: 'a=1', headers: { cookie: 'u=2' } }),
      /\r\ncookie: u=2; a=1\r\n/,
    );
    const stripped = head({
      stripCredentials: true,
      stripBodyHeaders: true,
      headers: { Authorization: 'x', Cookie: 'u=2', 'Content-Type': 'text/plain', 'X-A': '1' },
    });
    assert.doesNotMatch(stripped, /Authorization|Cookie|Content-Type/);
    assert.match(stripped, /X-A: 1/);
  });

  it('rejects header injection and invalid names or methods', () => {
    const isInvalid = (err: unknown): boolean =>
      err instanceof HttpError && err.code === 'EINVALID';
    assert.throws(() => head({ headers: { 'X-A': 'a\r\nB: c' } }), isInvalid);
    assert.throws(() => head({ headers: { 'Bad Name': 'a' } }), isInvalid);
    assert.throws(() => head({ method: 'GET /x' }), isInvalid);
    assert.throws(() => head({ headers: { 'X-A': 'snow ☃' } }), isInvalid);
  });
});

describe('bodyToBuffer', () => {
  it('encodes strings as UTF-8 and wraps byte arrays without copying', () => {
    assert.deepEqual(bodyToBuffer('é'), Buffer.from([0xc3, 0xa9]));
    const bytes = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const buf = bodyToBuffer(bytes)!;
    assert.deepEqual([...buf], [2, 3]);
    assert.equal(buf.buffer, bytes.buffer);
    assert.equal(bodyToBuffer(null), null);
    assert.equal(bodyToBuffer(undefined), null);
  });
});
