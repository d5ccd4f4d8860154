import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from './errors.ts';
import { MAX_HEAD_BYTES, ResponseParser } from './response-parser.ts';

interface Parsed {
  parser: ResponseParser;
  body: string;
  consumed: number;
}

/** Feeds `raw` in pieces of `step` bytes (1 = byte by byte), stopping when complete. */
function parse(raw: string | Buffer, step: number, expectBody = true, eof = false): Parsed {
  const data = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const chunks: Buffer[] = [];
  const parser = new ResponseParser({ onBody: (c) => chunks.push(Buffer.from(c)) });
  parser.reset(expectBody);
  let consumed = 0;
  for (let i = 0; i < data.length && !parser.complete; i += step) {
    consumed += parser.execute(data.subarray(i, Math.min(i + step, data.length)));
  }
  if (eof) parser.finish();
  return { parser, body: Buffer.concat(chunks).toString('latin1'), consumed };
}

function bothWays(raw: string, check: (p: Parsed) => void, expectBody = true, eof = false): void {
  for (const step of [1, 2, 7, raw.length]) check(parse(raw, step, expectBody, eof));
}

function assertParseError(raw: string, pattern: RegExp): void {
  for (const step of [1, raw.length]) {
    assert.throws(
      () => parse(raw, step),
      (err: unknown) =>
        err instanceof HttpError && err.code === 'EPARSE' && pattern.test(err.message),
    );
  }
}

describe('ResponseParser', () => {
  it('parses a Content-Length response byte by byte', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello';
    bothWays(raw, ({ parser, body, consumed }) => {
      assert.equal(parser.complete, true);
      assert.equal(parser.statusCode, 200);
      assert.equal(parser.statusText, 'OK');
      assert.equal(parser.headers['content-type'], 'text/plain');
      assert.equal(parser.headers['x-a'], '1, 2');
      assert.equal(parser.keepAlive, true);
      assert.equal(body, 'hello');
      assert.equal(consumed, raw.length);
    });
  });

  it('stops at the end of the message and reports the bytes it consumed', () => {
    const first = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const { parser, consumed } = parse(first + 'HTTP/1.1 204 No Content\r\n\r\n', 1000);
    assert.equal(parser.complete, true);
    assert.equal(consumed, first.length);
  });

  it('decodes chunked bodies with extensions and trailers', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=value\r\nhello\r\n' +
      '7\r\n, world\r\n' +
      'A \r\n0123456789\r\n' +
      '0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n';
    bothWays(raw, ({ parser, body, consumed }) => {
      assert.equal(parser.complete, true);
      assert.equal(body, 'hello, world0123456789');
      assert.deepEqual({ ...parser.trailers }, { 'x-checksum': 'abc', 'x-other': '1' });
      assert.equal(parser.keepAlive, true);
      assert.equal(consumed, raw.length);
    });
  });

  it('accepts upper-case hex chunk sizes and bare LF line ends', () => {
    const raw = 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n1F\n' + 'x'.repeat(31) + '\n0\n\n';
    bothWays(raw, ({ parser, body }) => {
      assert.equal(parser.complete, true);
      assert.equal(body.length, 31);
    });
  });

  it('reads until close when there is neither length nor chunking', () => {
    const raw = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this';
    bothWays(
      raw,
      ({ parser, body }) => {
        assert.equal(parser.complete, true);
        assert.equal(parser.keepAlive, false);
        assert.equal(body, 'all of this');
      },
      true,
      true,
    );
    const { parser } = parse(raw, 1);
    assert.equal(parser.complete, false, 'not complete before EOF');
  });

  it('expects no body for HEAD, 204 and 304', () => {
    const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 1, false);
    assert.equal(head.parser.complete, true);
    assert.equal(head.parser.keepAlive, true);
    for (const status of ['204 No Content', '304 Not Modified']) {
      const { parser, body } = parse(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`, 1);
      assert.equal(parser.complete, true);
      assert.equal(body, '');
    }
  });

  it('skips interim 1xx responses', () => {
    const raw =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
      'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';
    bothWays(raw, ({ parser, body }) => {
      assert.equal(parser.statusCode, 201);
      assert.equal(parser.headers['link'], undefined);
      assert.equal(body, 'ok');
    });
  });

  it('derives keep-alive from the version and Connection header', () => {
    const close = parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 1);
    assert.equal(close.parser.keepAlive, false);
    const old = parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', 1);
    assert.equal(old.parser.httpMinor, 0);
    assert.equal(old.parser.keepAlive, false);
    const oldKa = parse(
      'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n',
      1,
    );
    assert.equal(oldKa.parser.keepAlive, true);
  });

  it('joins set-cookie with newlines and trims values', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie:b=2 \r\nContent-Length: 0\r\n\r\n';
    const { parser } = parse(raw, 1);
    assert.equal(parser.headers['set-cookie'], 'a=1\nb=2');
  });

  it('accepts an empty reason phrase', () => {
    const { parser } = parse('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', 1);
    assert.equal(parser.statusCode, 404);
    assert.equal(parser.statusText, '');
  });

  it('rejects malformed responses', () => {
    assertParseError('HTTP/1.1 OK\r\n\r\n', /status line/);
    assertParseError('ICY 200 OK\r\n\r\n', /status line/);
    assertParseError('HTTP/1.1 20 OK\r\n\r\n', /status line/);
    assertParseError('HTTP/2.0 200 OK\r\n\r\n', /status line/);
    assertParseError('HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n', /colon/);
    assertParseError('HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n', /header name/);
    assertParseError('HTTP/1.1 200 OK\r\n: x\r\n\r\n', /empty header name/);
    assertParseError('HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n', /folding/);
    assertParseError('HTTP/1.1 200 OK\r\nA: x\x01y\r\n\r\n', /header value/);
    assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n', /content-length/);
    assertParseError(
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      /conflicting/,
    );
    assertParseError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/);
    assertParseError(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n',
      /CRLF after chunk/,
    );
    assertParseError(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n',
      /too large/,
    );
  });

  it('caps the head at MAX_HEAD_BYTES', () => {
    const big = 'HTTP/1.1 200 OK\r\nX-Big: ' + 'a'.repeat(MAX_HEAD_BYTES) + '\r\n\r\n';
    for (const step of [1000, big.length]) {
      assert.throws(
        () => parse(big, step),
        (err: unknown) => err instanceof HttpError && /exceeds/.test(err.message),
      );
    }
    const many = 'HTTP/1.1 200 OK\r\n' + 'X-A: b\r\n'.repeat(MAX_HEAD_BYTES / 8) + '\r\n';
    assert.throws(() => parse(many, 100), /exceeds/);
  });

  it('reuses one parser for consecutive responses', () => {
    const parser = new ResponseParser({ onBody: () => {} });
    for (const status of [200, 404, 500]) {
      parser.reset(true);
      const raw = Buffer.from(`HTTP/1.1 ${status} X\r\nContent-Length: 1\r\n\r\nz`);
      assert.equal(parser.execute(raw), raw.length);
      assert.equal(parser.complete, true);
      assert.equal(parser.statusCode, status);
    }
  });

  it('treats non-chunked transfer codings as close-delimited', () => {
    const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef';
    const { parser, body } = parse(raw, 1, true, true);
    assert.equal(parser.complete, true);
    assert.equal(parser.keepAlive, false);
    assert.equal(body, 'abcdef');
  });
});
