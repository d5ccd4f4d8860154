// Per-iteration context seen by scripts: the scenario `env` option and cookie jars that are
// cleared before each iteration unless options.noCookiesReset (k6 semantics).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { describeResult, readSummary, runCli, tempDir } from './harness.ts';

let server: Server;
let url = '';
const tmp = tempDir();
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/set') res.setHeader('set-cookie', 'session=abc; Path=/');
    res.end(req.headers.cookie ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  tmp.cleanup();
});

async function checksOf(script: string, name: string) {
  const file = tmp.path(`${name}.js`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, script);
  const summaryPath = tmp.path(`${name}.json`);
  const r = await runCli(
    ['run', file, '--quiet', '--workers', '1', '--summary-json', summaryPath],
    {
      env: { TARGET: url, SHARED: 'from-process' },
    },
  );
  assert.equal(r.code, 0, describeResult(r));
  return Object.fromEntries(readSummary(summaryPath).checks.map((c) => [c.name, c]));
}

test('cookies are cleared before each iteration unless noCookiesReset', async () => {
  const script = (keep: boolean) => `
    import { http, check } from 'stampede';
    export const options = { noCookiesReset: ${keep}, scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3 } } };
    export default async function () {
      const first = await http.get(__ENV.TARGET + '/get');
      check(first, { 'no cookie at iteration start': (r) => r.body === '' });
      await http.get(__ENV.TARGET + '/set');
      const later = await http.get(__ENV.TARGET + '/get');
      check(later, { 'cookie sent within the iteration': (r) => r.body === 'session=abc' });
    }`;
  const reset = await checksOf(script(false), 'reset');
  assert.equal(reset['no cookie at iteration start']?.passes, 3);
  assert.equal(reset['cookie sent within the iteration']?.passes, 3);
  const kept = await checksOf(script(true), 'kept');
  assert.equal(kept['no cookie at iteration start']?.passes, 1);
  assert.equal(kept['no cookie at iteration start']?.fails, 2);
});

test('a scenario env overlays the test env for that scenario only', async () => {
  const checks = await checksOf(
    `
    import { check, env, scenario } from 'stampede';
    export const options = { scenarios: {
      a: { executor: 'per-vu-iterations', vus: 1, iterations: 2, env: { MODE: 'alpha' } },
      b: { executor: 'per-vu-iterations', vus: 1, iterations: 2 },
    } };
    export default async function () {
      const expected = scenario.name === 'a' ? 'alpha' : undefined;
      check(null, {
        'env.MODE per scenario': () => env.MODE === expected && __ENV.MODE === expected,
        'process env still visible': () => env.SHARED === 'from-process',
      });
    }`,
    'env',
  );
  assert.equal(checks['env.MODE per scenario']?.passes, 4);
  assert.equal(checks['env.MODE per scenario']?.fails, 0);
  assert.equal(checks['process env still visible']?.passes, 4);
});
