import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackHost, targetChecker } from './allow-list.ts';
import { splitSegment } from '../run/worker-segments.ts';

test('allow-list accepts listed hosts and host:port, refuses the rest', () => {
  assert.equal(targetChecker([]), undefined);
  const check = targetChecker(['127.0.0.1', 'localhost:8080']);
  assert.ok(check);
  assert.equal(check(new URL('http://127.0.0.1:9/')), null);
  assert.equal(check(new URL('http://localhost:8080/')), null);
  assert.match(check(new URL('http://localhost:8081/')) ?? '', /not on the allow-list/);
  assert.match(check(new URL('https://example.com/')) ?? '', /example\.com/);
});

test('the loopback entry admits every loopback host and nothing else', () => {
  const check = targetChecker(['loopback', 'example.com:443']);
  assert.ok(check);
  for (const url of [
    'http://127.0.0.2:81/',
    'http://[::1]:9/',
    'http://localhost/',
    'http://a.localhost/',
    'http://[::ffff:127.0.0.9]/',
  ]) {
    assert.equal(check(new URL(url)), null, url);
  }
  assert.equal(check(new URL('https://example.com/')), null);
  assert.match(check(new URL('http://10.0.0.1/')) ?? '', /not on the allow-list/);
  assert.match(check(new URL('http://128.0.0.1/')) ?? '', /not on the allow-list/);
  assert.ok(!isLoopbackHost('localhost.example.com'));
});

test('worker segments split a process segment evenly', () => {
  const base = { sequence: '0,1', segment: '0:1' };
  assert.deepEqual(
    splitSegment(base, 3).map((levels) => levels[1]?.segment),
    ['0:1/3', '1/3:2/3', '2/3:1'],
  );
  assert.equal(splitSegment(base, 2)[0]?.[1]?.sequence, '0,1/2,1');
});
