import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetChecker } from './allow-list.ts';
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

test('worker segments split a process segment evenly', () => {
  const base = { sequence: '0,1', segment: '0:1' };
  assert.deepEqual(
    splitSegment(base, 3).map((levels) => levels[1]?.segment),
    ['0:1/3', '1/3:2/3', '2/3:1'],
  );
  assert.equal(splitSegment(base, 2)[0]?.[1]?.sequence, '0,1/2,1');
});
