// Security of the controller over real sockets: agent routes need a client certificate issued
// (and still valid) by the controller's own CA; join tokens are single use; API tokens are
// checked; targets off the allow-list are refused before a run starts and, when the static scan
// cannot see them, by the generators at run time; bad REST input is a 4xx with the error shape
// and changes nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { createCsr, generateAgentKey, IDENTITY_FILES, keyToPem } from '@stampede/agent';
import { CertificateAuthority } from '@stampede/controller';
import { AGENT_PROTOCOL_VERSION } from '@stampede/protocol';
import {
  Cluster,
  isApiError,
  randomApiToken,
  type AgentProc,
  type CountingTarget,
} from './cluster-harness.ts';
import { counterOf, describeResult, rateOf, readSummary, runCli } from './harness.ts';

const cluster = new Cluster();
let allowed: CountingTarget;
let forbidden: CountingTarget;
let agent: AgentProc;
let joinToken: string;

before(async () => {
  forbidden = await cluster.target();
  // The allowed target redirects /redir to the forbidden one.
  allowed = await cluster.target('127.0.0.1', (hit) =>
    hit.path.startsWith('/redir')
      ? { status: 302, headers: { location: `${forbidden.url}/via-redirect` } }
      : undefined,
  );
  await cluster.startServer({
    localGenerators: 2,
    args: ['--no-loopback', '--allow-target', `127.0.0.1:${allowed.port}`],
  });
  joinToken = await cluster.api.joinToken('sec-1');
  agent = await cluster.startAgent({ name: 'sec1', joinToken });
  await cluster.waitIdle(2, 'local', 60_000);
});
after(() => cluster.cleanup());

/** One request to an agent route with the given TLS client identity (none when omitted). */
async function agentCall(
  method: 'GET' | 'POST',
  path: string,
  tls: { cert?: string; key?: string } = {},
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const dispatcher = new Agent({ connect: { ca: cluster.server!.caPem, ...tls } });
  try {
    const r = await request(`${cluster.server!.url}${path}`, {
      method,
      dispatcher,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await r.body.text();
    return { status: r.statusCode, body: text === '' ? null : JSON.parse(text) };
  } finally {
    await dispatcher.close();
  }
}

const heartbeat = () => ({
  protocolVersion: AGENT_PROTOCOL_VERSION,
  sentAtMs: Date.now(),
  activity: 'idle',
  runId: null,
  health: null,
});

/** A client certificate for the real agent's id, signed by `ca`, with its key. */
async function certFor(ca: CertificateAuthority, validityMs = 3_600_000) {
  const keys = await generateAgentKey();
  const csr = await createCsr(keys, agent.name);
  const issued = await ca.signClientCsr(csr, { agentId: agent.agentId, validityMs });
  return {
    cert: issued.certPem,
    key: await keyToPem(keys.privateKey),
    notAfterMs: issued.notAfterMs,
  };
}

test('agent routes: the agent’s own certificate works; none, a foreign CA’s or an expired one is refused', async () => {
  const own = {
    cert: readFileSync(join(agent.dataDir, IDENTITY_FILES.cert), 'utf8'),
    key: readFileSync(join(agent.dataDir, IDENTITY_FILES.key), 'utf8'),
  };
  const ok = await agentCall('GET', '/agent/v1/commands?after=0&waitMs=0', own);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  const none = await agentCall('POST', '/agent/v1/heartbeat', {}, heartbeat());
  assert.equal(none.status, 401);
  assert.ok(isApiError(none.body));
  assert.equal(none.body.code, 'UNAUTHENTICATED');

  const foreignCa = await CertificateAuthority.create({
    commonName: 'stampede controller CA',
    clock: { nowMs: () => Date.now() },
  });
  const foreign = await agentCall(
    'POST',
    '/agent/v1/heartbeat',
    await certFor(foreignCa),
    heartbeat(),
  );
  assert.equal(foreign.status, 401, JSON.stringify(foreign.body));
  assert.ok(isApiError(foreign.body));
  assert.equal(foreign.body.code, 'CERT_UNKNOWN_CA');

  // Signed by the real CA key from the data directory, valid 1 h, issued 3 h ago.
  const dir = join(cluster.server!.dataDir, 'ca');
  const pastCa = await CertificateAuthority.fromPem(
    readFileSync(join(dir, 'ca.crt'), 'utf8'),
    readFileSync(join(dir, 'ca.key'), 'utf8'),
    { clock: { nowMs: () => Date.now() - 3 * 3_600_000 } },
  );
  const expired = await certFor(pastCa);
  assert.ok(expired.notAfterMs < Date.now() - 3_600_000);
  const old = await agentCall('POST', '/agent/v1/heartbeat', expired, heartbeat());
  assert.equal(old.status, 401, JSON.stringify(old.body));
  assert.ok(isApiError(old.body));
  assert.equal(old.body.code, 'CERT_EXPIRED');
  // The same CA key with a current validity is accepted: only the expiry was refused above.
  const fresh = await certFor(
    await CertificateAuthority.fromPem(
      readFileSync(join(dir, 'ca.crt'), 'utf8'),
      readFileSync(join(dir, 'ca.key'), 'utf8'),
      { clock: { nowMs: () => Date.now() } },
    ),
  );
  const good = await agentCall('GET', '/agent/v1/commands?after=0&waitMs=0', fresh);
  assert.equal(good.status, 200, JSON.stringify(good.body));
});

test('a join token is single use: a second agent with it exits non-zero with a clear message', async () => {
  const second = await cluster.startAgent({ name: 'sec2', joinToken, waitConnected: false });
  const { code } = await second.exited;
  assert.notEqual(code, 0);
  assert.match(second.stderr(), /join token|TOKEN_USED/i);
  assert.doesNotMatch(second.stderr(), /internal error|\n\s+at /, 'a message, not a stack trace');
  const raw = await agentCall(
    'POST',
    '/agent/v1/enroll',
    {},
    { joinToken, name: 'x', csrPem: 'x' },
  );
  assert.ok(raw.status >= 400 && raw.status < 500, JSON.stringify(raw.body));
  assert.ok(isApiError(raw.body));
});

test('a wrong API token is 401 and the CLI exits 1 saying why', async () => {
  const wrong = randomApiToken();
  const a = await cluster.apiWith(wrong).call('GET', '/runs');
  assert.equal(a.status, 401);
  assert.ok(isApiError(a.body));
  assert.equal(a.body.code, 'UNAUTHENTICATED');
  const malformed = await cluster.apiWith('not-a-token').call('GET', '/runs');
  assert.equal(malformed.status, 401);
  const none = await cluster.api.call('GET', '/runs', { token: null });
  assert.equal(none.status, 401);
  const cli = await runCli(['runs', 'list'], { env: cluster.cliEnv(wrong) });
  assert.equal(cli.code, 1, describeResult(cli));
  assert.match(cli.stderr, /^error: .+ \[UNAUTHENTICATED\]$/m);
  const run = await runCli(
    ['run', '--server', cluster.server!.url, '--url', `${allowed.url}/x`, '--iterations', '1'],
    {
      env: cluster.cliEnv(wrong),
      cwd: cluster.tmp,
    },
  );
  assert.equal(run.code, 1, describeResult(run));
  assert.match(run.stderr, /\[UNAUTHENTICATED\]/);
  assert.equal(allowed.count('/x'), 0);
});

test('a target off the allow-list is refused before the run starts (422, exit 2)', async () => {
  const runsBefore = (await cluster.api.ok('GET', '/runs')) as { items: unknown[] };
  const file = join(cluster.tmp, 'literal.ts');
  writeFileSync(
    file,
    `import { http } from 'stampede';
export const options = { iterations: 3, vus: 1 };
export default async function () { await http.get('${forbidden.url}/literal'); }
`,
  );
  for (const args of [
    [file],
    ['--url', `${forbidden.url}/quick`, '--iterations', '3'],
    [file, '--env', `OTHER=${forbidden.url}/env`],
  ]) {
    const r = await runCli(['run', ...args, '--quiet', '--server', cluster.server!.url], {
      env: cluster.cliEnv(),
      cwd: cluster.tmp,
    });
    assert.equal(r.code, 2, describeResult(r));
    assert.match(r.stderr, /\[TARGET_NOT_ALLOWED\]/);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${forbidden.port}`));
  }
  const runsAfter = (await cluster.api.ok('GET', '/runs')) as { items: unknown[] };
  assert.equal(runsAfter.items.length, runsBefore.items.length, 'no run was created');
  assert.equal(forbidden.count(), 0);
});

test('a target hidden from the static scan (built from __ENV) or reached by a redirect is refused by the generators', async () => {
  const file = join(cluster.tmp, 'hidden.ts');
  writeFileSync(
    file,
    `import { http, check } from 'stampede';
export const options = { iterations: 10, vus: 2 };
export default async function () {
  const hidden = 'http' + '://' + __ENV.FHOST + ':' + __ENV.FPORT + '/hidden';
  const r = await http.get(hidden);
  check(r, { 'refused by the allow-list': (x) => x.status === 0 && x.error_code === 'ETARGET' });
  await http.get(__ENV.ALLOWED + '/ok');
  await http.get(__ENV.ALLOWED + '/redir');
}
`,
  );
  const summaryPath = join(cluster.tmp, 'hidden.json');
  const r = await runCli(
    [
      'run',
      file,
      '--quiet',
      '--generators',
      '2',
      '--summary-json',
      summaryPath,
      '--env',
      'FHOST=127.0.0.1',
      '--env',
      `FPORT=${forbidden.port}`,
      '--env',
      `ALLOWED=${allowed.url}`,
    ],
    { env: cluster.cliEnv(), cwd: cluster.tmp, timeoutMs: 90_000 },
  );
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(allowed.count('/ok'), 10, 'the allowed target got its requests');
  assert.equal(forbidden.count('/hidden'), 0, 'the hidden forbidden target got requests');
  assert.equal(
    forbidden.count('/via-redirect'),
    0,
    'a redirect from an allowed target led the generators to the forbidden one',
  );
  const summary = readSummary(summaryPath);
  const check = summary.checks.find((c) => c.name === 'refused by the allow-list');
  assert.equal(check?.passes, 10, JSON.stringify(summary.checks));
  // 10 refused hidden requests, 10 to /ok, 10 redirects refused with ETARGET: 20 failed of 30.
  assert.equal(counterOf(summary, 'http_reqs'), 30);
  assert.equal(rateOf(summary, 'http_req_failed').passes, 20);
  // Issue 13 item 5: the run log says which origin was refused, once per origin and generator
  // (whatever the number of load workers and refused requests), not only failed requests.
  const runs = (await cluster.api.ok('GET', '/runs?limit=1')) as { items: { id: string }[] };
  const runId = runs.items[0]?.id ?? '';
  const logs = (await cluster.api.ok('GET', `/runs/${runId}/logs`)) as {
    items: { source: string; message: string }[];
  };
  const refusedLines = logs.items.filter((l) =>
    /refused: .*they fail with ETARGET/.test(l.message),
  );
  const perSource = new Map<string, number>();
  for (const l of refusedLines) {
    assert.match(
      l.message,
      new RegExp(`requests to http://127\\.0\\.0\\.1:${forbidden.port} refused`),
    );
    perSource.set(l.source, (perSource.get(l.source) ?? 0) + 1);
  }
  assert.ok(perSource.size >= 1, JSON.stringify(logs.items));
  for (const [source, n] of perSource)
    assert.equal(n, 1, `${source}: ${JSON.stringify(refusedLines)}`);
});

test('bad input on the REST API: 4xx with { code, message, details }; nothing changes', async () => {
  const api = cluster.api;
  const state = async () => ({
    runs: await runCli(['runs', 'list', '--json'], { env: cluster.cliEnv() }),
    tokens: JSON.stringify(await api.ok('GET', '/tokens')),
    joins: JSON.stringify(await api.ok('GET', '/join-tokens')),
    audit: JSON.stringify(await api.ok('GET', '/audit')),
  });
  const before = await state();
  assert.equal(before.runs.code, 0, describeResult(before.runs));
  const sha = 'a'.repeat(64);
  const cases: [string, string, Parameters<typeof api.call>[2], number, string][] = [
    ['POST', '/runs', { json: { archiveSha256: 42, generators: 'two' } }, 400, 'INVALID_REQUEST'],
    ['POST', '/runs', { json: {} }, 400, 'INVALID_REQUEST'],
    ['POST', '/runs', { json: { archiveSha256: sha, surprise: true } }, 400, 'INVALID_REQUEST'],
    ['POST', '/runs', { json: { archiveSha256: sha, generators: -1 } }, 400, 'INVALID_REQUEST'],
    [
      'POST',
      '/runs',
      { raw: '{"archiveSha256": ', contentType: 'application/json' },
      400,
      'MALFORMED_JSON',
    ],
    [
      'POST',
      '/runs',
      { raw: 'archiveSha256=1', contentType: 'text/plain' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'POST',
      '/runs',
      { json: { archiveSha256: sha, labels: { big: 'x'.repeat(2 * 1024 * 1024) } } },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['POST', '/runs', { json: { archiveSha256: sha } }, 404, 'ARCHIVE_NOT_FOUND'],
    ['GET', '/runs/run_00000000000000000000000000', {}, 404, 'NOT_FOUND'],
    ['POST', '/runs/run_00000000000000000000000000/abort', { json: {} }, 404, 'NOT_FOUND'],
    ['GET', '/runs?limit=lots', {}, 400, 'INVALID_REQUEST'],
    [
      'POST',
      '/generators/gen_00000000000000000000000000/terminate',
      { json: {} },
      404,
      'NOT_FOUND',
    ],
    ['POST', '/tokens', { json: { name: '', scopes: ['root'] } }, 400, 'INVALID_REQUEST'],
    ['POST', '/join-tokens', { json: { ttlMs: 'soon' } }, 400, 'INVALID_REQUEST'],
    [
      'POST',
      '/archives',
      { raw: 'not an archive', contentType: 'application/octet-stream' },
      422,
      'INVALID_ARCHIVE',
    ],
    [
      'POST',
      '/archives',
      { raw: '{}', contentType: 'application/octet-stream', headers: { 'x-stampede-sha256': sha } },
      422,
      'SHA256_MISMATCH',
    ],
    ['GET', `/archives/${sha}`, {}, 404, 'ARCHIVE_NOT_FOUND'],
    ['GET', '/nowhere', {}, 404, 'NOT_FOUND'],
  ];
  for (const [method, path, options, status, code] of cases) {
    const a = await api.call(method, path, options);
    const what = `${method} ${path} ${JSON.stringify(options).slice(0, 120)} → ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`;
    assert.equal(a.status, status, what);
    assert.ok(isApiError(a.body), `error shape: ${what}`);
    assert.equal(a.body.code, code, what);
    assert.ok(a.body.message.length > 0, what);
  }
  // A field error names its path.
  const typed = await api.call('POST', '/runs', { json: { archiveSha256: 42, generators: 'two' } });
  const issues = (typed.body as { details: { issues?: { path: string }[] } }).details.issues ?? [];
  assert.deepEqual(issues.map((i) => i.path).sort(), ['body.archiveSha256', 'body.generators']);
  const afterState = await state();
  assert.equal(afterState.runs.stdout, before.runs.stdout, 'runs list changed');
  assert.equal(afterState.tokens, before.tokens);
  assert.equal(afterState.joins, before.joins);
  assert.equal(afterState.audit, before.audit);
});
