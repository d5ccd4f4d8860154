import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declarativeToTemplates, parseDeclarative } from '../bundle/declarative.ts';
import { resolvePlan } from '../options/plan.ts';
import { targetChecker } from '../worker/allow-list.ts';
import { chooseExecutionPath, describeExecutionPath, type ExecutionPath } from './eligibility.ts';
import { compileTemplates } from './template.ts';

const URL_A = 'http://127.0.0.1:9/a';

function pathOf(
  yaml: string,
  extra: { pipelining?: number; fastPath?: boolean; allow?: string[] } = {},
): ExecutionPath {
  const test = parseDeclarative(yaml, 't.yaml');
  return chooseExecutionPath({
    declarative: test,
    templates: declarativeToTemplates(test),
    plan: resolvePlan(test.options),
    pipelining: extra.pipelining,
    fastPath: extra.fastPath,
    checkTarget: targetChecker(extra.allow ?? []),
  });
}

test('declarative requests become templates with the bodies and headers the script sends', () => {
  const test = parseDeclarative(
    `requests:
  - url: ${URL_A}
    name: home
    expectStatus: 200
  - method: post
    url: ${URL_A}
    json: { hello: world }
  - method: PUT
    url: ${URL_A}
    headers: { content-type: text/plain }
    json: [1]
  - url: ${URL_A}
    body: raw
`,
    't.yaml',
  );
  const templates = declarativeToTemplates(test);
  assert.deepEqual(templates[0], {
    method: 'GET',
    url: URL_A,
    headers: {},
    body: null,
    name: 'home',
    expectStatus: 200,
  });
  assert.equal(templates[1]?.method, 'POST');
  assert.equal(templates[1]?.body, '{"hello":"world"}');
  assert.deepEqual(templates[1]?.headers, { 'Content-Type': 'application/json' });
  assert.deepEqual(templates[2]?.headers, { 'content-type': 'text/plain' });
  assert.equal(templates[3]?.body, 'raw');
  assert.equal('name' in (templates[3] ?? {}), false);

  // Serialized once: Host, User-Agent and Content-Length as the scripted client writes them.
  const compiled = compileTemplates(templates, 'Stampede/test');
  const post = compiled.templates[1]?.bytes.toString('latin1') ?? '';
  assert.match(
    post,
    /^POST \/a HTTP\/1\.1\r\nHost: 127\.0\.0\.1:9\r\nUser-Agent: Stampede\/test\r\n/,
  );
  assert.match(post, /Content-Length: 17\r\nConnection: keep-alive\r\n\r\n\{"hello":"world"\}$/);
  assert.equal(compiled.templates[0]?.name, 'home');
  assert.equal(compiled.templates[3]?.name, URL_A);
  const close = compileTemplates(templates, '', false).templates[0]?.bytes.toString('latin1');
  assert.match(close ?? '', /Connection: close\r\n/);
});

test('request lists and quick mode run on the fast path unless they need the scripted client', () => {
  const ok = pathOf(`options: { vus: 2, maxRedirects: 0 }\nrequests:\n  - url: ${URL_A}\n`);
  assert.equal(ok.kind, 'fast');
  assert.equal(ok.kind === 'fast' && ok.pipelining, 1);
  assert.match(describeExecutionPath(ok), /^fast path/);

  const cases: [string, RegExp][] = [
    [`fastPath: false\nrequests:\n  - url: ${URL_A}\n`, /turned off/],
    [`options: { noCookiesReset: true }\nrequests:\n  - url: ${URL_A}\n`, /noCookiesReset/],
    [`options: { maxRedirects: 3 }\nrequests:\n  - url: ${URL_A}\n`, /maxRedirects/],
    [
      `options: { maxResponseBodyBytes: 10 }\nrequests:\n  - url: ${URL_A}\n`,
      /maxResponseBodyBytes/,
    ],
    [`requests:\n  - url: ${URL_A}\n  - url: http://127.0.0.1:10/b\n`, /one origin/],
    [`requests:\n  - url: ${URL_A}\n    headers: { "X-A": "a\\nb" }\n`, /invalid character/],
  ];
  for (const [yaml, reason] of cases) {
    const p = pathOf(yaml);
    assert.equal(p.kind, 'scripted', yaml);
    assert.match(p.kind === 'scripted' ? p.reason : '', reason, yaml);
  }
  assert.equal(pathOf(`requests:\n  - url: ${URL_A}\n`, { fastPath: false }).kind, 'scripted');
  const refused = pathOf(`requests:\n  - url: ${URL_A}\n`, { allow: ['example.com'] });
  assert.match(refused.kind === 'scripted' ? refused.reason : '', /allow-list/);
  assert.equal(pathOf(`requests:\n  - url: ${URL_A}\n`, { allow: ['127.0.0.1:9'] }).kind, 'fast');

  const script = chooseExecutionPath({
    declarative: undefined,
    templates: [],
    plan: resolvePlan({}),
  });
  assert.equal(script.kind, 'scripted');
});

test('pipelining comes from the test or the flag and must be honoured, naming the field', () => {
  const p = pathOf(`pipelining: 4\nrequests:\n  - url: ${URL_A}\n`);
  assert.equal(p.kind === 'fast' && p.pipelining, 4);
  const flag = pathOf(`pipelining: 4\nrequests:\n  - url: ${URL_A}\n`, { pipelining: 8 });
  assert.equal(flag.kind === 'fast' && flag.pipelining, 8);
  assert.throws(
    () => pathOf(`pipelining: 4\nfastPath: false\nrequests:\n  - url: ${URL_A}\n`),
    /^EngineError: pipelining: needs the fast path/,
  );
  assert.throws(
    () =>
      pathOf(`options: { noConnectionReuse: true }\nrequests:\n  - url: ${URL_A}\n`, {
        pipelining: 2,
      }),
    /pipelining: cannot be combined with options\.noConnectionReuse/,
  );
  assert.throws(
    () => parseDeclarative(`pipelining: 0\nrequests:\n  - url: ${URL_A}\n`, 't.yaml'),
    /pipelining/,
  );
  assert.throws(
    () => parseDeclarative(`pipelining: 1.5\nrequests:\n  - url: ${URL_A}\n`, 't.yaml'),
    /pipelining/,
  );
});
