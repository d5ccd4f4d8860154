import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  disallowedTargets,
  envTargets,
  isLoopbackHost,
  isTargetAllowed,
  scanCodeTargets,
  scanScriptTargets,
  splitTarget,
  targetOfUrl,
} from './targets.ts';

// The shape of an esbuild bundle as `bundleTest` makes it: a banner, then one `// path` section
// per module after a blank line (comments of the sources themselves are stripped).
const BUNDLE = `import { createRequire as __stampedeCreateRequire } from 'node:module'; const require = __stampedeCreateRequire(import.meta.url);

// stampede-api:stampede
var api = globalThis["__stampede"]?.["stampede"];
var http = api.http;

// node_modules/foo/index.js
var u = "https://evil.example.com/x";

// ../../node_modules/.pnpm/bar@1.0.0/node_modules/bar/lib/index.js
var v = 'http://tracker.example.org:8080/';

// lib/helper.ts
var base = "http://api.internal:8080";

// test.ts
var host = __ENV.HOST;
async function test_default() {
  await http.get("http://127.0.0.1:8080/a");
  await http.get(\`https://\${host}/b\`);
  await http.get(\`https://api-\${host}.example.com/b\`);
  await http.get(\`https://templ.example.org:9443/c?x=\${host}\`);
  await http.get('HTTPS://Upper.Example.COM');
  await http.get("http://[::1]:3000/v6");
  await http.get(base + "/path");
}
export { test_default as default };
`;

test("the scan finds URL literals of the test's own code, not of npm packages", () => {
  assert.deepEqual(scanScriptTargets(BUNDLE), [
    '127.0.0.1:8080',
    '[::1]:3000',
    'api.internal:8080',
    'templ.example.org:9443',
    'upper.example.com:443',
  ]);
});

test('a script without markers is scanned whole', () => {
  assert.deepEqual(scanScriptTargets("fetch('https://a.example.com/x'); fetch('http://b:81')"), [
    'a.example.com:443',
    'b:81',
  ]);
});

test('computed hosts, escapes, non-http schemes and unterminated literals name nothing', () => {
  assert.deepEqual(scanCodeTargets('`https://${h}`'), []);
  assert.deepEqual(scanCodeTargets('`http://${h}:8080/x`'), []);
  assert.deepEqual(scanCodeTargets('"ws://socket.example.com/"'), []);
  assert.deepEqual(scanCodeTargets('"ftp://files.example.com/"'), []);
  assert.deepEqual(scanCodeTargets('"https://"'), []);
  assert.deepEqual(scanCodeTargets('// http://in-a-comment.example.com'), []);
  assert.deepEqual(scanCodeTargets('"http://a.example.com\\u002Fx"'), ['a.example.com:80']);
});

test('default ports are filled in; the URL parser canonicalizes hosts', () => {
  assert.equal(targetOfUrl('http://Example.com/'), 'example.com:80');
  assert.equal(targetOfUrl('https://example.com'), 'example.com:443');
  assert.equal(targetOfUrl('http://127.1:9/'), '127.0.0.1:9');
  assert.equal(targetOfUrl('http://user:pw@h.example.com:81/'), 'h.example.com:81');
  assert.equal(targetOfUrl('mailto:x@example.com'), null);
  assert.equal(targetOfUrl('not a url'), null);
});

test('environment values that are http(s) URLs are targets', () => {
  assert.deepEqual(
    envTargets({ TARGET: 'https://api.example.com/v1', N: '5', DB: 'postgres://db:5432/x' }),
    ['api.example.com:443'],
  );
});

test('targets and entries split into host and port', () => {
  assert.deepEqual(splitTarget('Example.com:8080'), { host: 'example.com', port: '8080' });
  assert.deepEqual(splitTarget('example.com'), { host: 'example.com', port: undefined });
  assert.deepEqual(splitTarget('[::1]:80'), { host: '::1', port: '80' });
  assert.deepEqual(splitTarget('::1'), { host: '::1', port: undefined });
  assert.equal(splitTarget('http://x/'), null);
  assert.equal(splitTarget(''), null);
  assert.equal(splitTarget('a b'), null);
});

test('loopback is 127.0.0.0/8, ::1 and localhost', () => {
  for (const h of [
    '127.0.0.1',
    '127.9.8.7',
    '::1',
    'localhost',
    'app.localhost',
    '::ffff:7f00:1',
  ]) {
    assert.ok(isLoopbackHost(h), h);
  }
  for (const h of ['128.0.0.1', '10.0.0.1', '::2', 'localhost.example.com', '::ffff:a00:1']) {
    assert.ok(!isLoopbackHost(h), h);
  }
});

test('the allow-list matches host entries on any port and host:port entries on that port', () => {
  const policy = {
    allowTargets: ['api.example.com', 'shop.example.com:8443', '[2001:db8::1]:80'],
    allowLoopback: true,
  };
  assert.ok(isTargetAllowed('api.example.com:443', policy));
  assert.ok(isTargetAllowed('API.example.com:1', policy));
  assert.ok(isTargetAllowed('api.example.com', policy));
  assert.ok(isTargetAllowed('shop.example.com:8443', policy));
  assert.ok(!isTargetAllowed('shop.example.com:443', policy));
  assert.ok(!isTargetAllowed('shop.example.com', policy));
  assert.ok(isTargetAllowed('[2001:db8::1]:80', policy));
  assert.ok(isTargetAllowed('127.0.0.1:8080', policy));
  assert.ok(isTargetAllowed('[::1]:3000', policy));
  assert.ok(isTargetAllowed('localhost:1', policy));
  assert.ok(!isTargetAllowed('evil.example.com:443', policy));
  assert.ok(!isTargetAllowed('api.example.com.evil.net:443', policy));
  assert.ok(!isTargetAllowed('not a host', policy));
  const strict = { allowTargets: [], allowLoopback: false };
  assert.ok(!isTargetAllowed('127.0.0.1:8080', strict));
  assert.deepEqual(disallowedTargets(['a:1', '127.0.0.1:2', 'a:1', 'api.example.com:3'], policy), [
    'a:1',
  ]);
});
