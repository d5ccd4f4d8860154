// Issue 19 item 10: names are logged with their control characters escaped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogLine } from './log.ts';

test('item 10: a log line escapes control characters, so a name cannot forge a line', () => {
  const line = formatLogLine('T', 'ctl', 'info', 'pool eu\nT ctl error forged\u001b[31m\u0000');
  assert.equal(line, 'T ctl info pool eu\\nT ctl error forged\\x1b[31m\\x00\n');
  assert.equal(line.split('\n').length, 2, 'one line');
});
