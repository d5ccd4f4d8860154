import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldValueCache, fieldName } from './field-strings.ts';

const name = (text: string): string => {
  const b = Buffer.from(`xx${text}yy`, 'latin1');
  return fieldName(b, 2, 2 + text.length, /[A-Z]/.test(text));
};

test('common names come back lower case from the table, other names as new lower-case strings', () => {
  assert.equal(name('Content-Length'), 'content-length');
  assert.equal(name('CONTENT-TYPE'), 'content-type');
  assert.equal(name('set-cookie'), 'set-cookie');
  assert.equal(name('X-Custom_1'), 'x-custom_1');
  // Same length as a common name but different bytes ("content-lengtx", "server" vs "serveR2").
  assert.equal(name('Content-Lengtx'), 'content-lengtx');
  assert.equal(name('serve_'), 'serve_');
  assert.equal(name('Age'), 'age');
  assert.equal(name('AGF'), 'agf');
});

test('an unchanged value of a common field is the same string; a changed one is new and remembered', () => {
  const cache = new FieldValueCache();
  const value = (n: string, text: string): string => {
    const b = Buffer.from(`:${text};`, 'latin1');
    return cache.value(n, b, 1, 1 + text.length);
  };
  const first = value('server', 'nginx/1.22.1');
  assert.equal(first, 'nginx/1.22.1');
  assert.equal(value('server', 'nginx/1.22.1'), first);
  assert.equal(value('server', 'nginx/1.22.2'), 'nginx/1.22.2');
  assert.equal(value('server', 'nginx/1.22'), 'nginx/1.22');
  assert.equal(value('date', 'Tue, 24 Nov 2026 02:00:00 GMT'), 'Tue, 24 Nov 2026 02:00:00 GMT');
  assert.equal(value('date', 'Tue, 24 Nov 2026 02:00:01 GMT'), 'Tue, 24 Nov 2026 02:00:01 GMT');
  assert.equal(value('x-custom', 'a'), 'a');
  assert.equal(value('x-custom', 'b'), 'b');
  assert.equal(value('etag', 'caf\u00e9'), 'caf\u00e9');
});
