// Accessibility of the web UI and of the HTML report: axe-core (@axe-core/playwright) in Debian's
// Chromium reports no serious or critical violation on each page, against a real controller with
// a finished run, and the report opened from file://.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Cluster, type CountingTarget } from './cluster-harness.ts';
import { describeResult, REPO, runCli } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`;

const cluster = new Cluster();
let target: CountingTarget;
let browser: Browser | undefined;
let profileDir = '';

before(async () => {
  if (skip !== false) return;
  target = await cluster.target();
  await cluster.startServer({ localGenerators: 1 });
  await cluster.waitIdle(1, 'local', 60_000);
  profileDir = mkdtempSync(join(tmpdir(), 'stampede-a11y-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
    timeout: 30_000,
  });
});
after(async () => {
  await browser?.close();
  await cluster.cleanup();
  if (profileDir !== '') rmSync(profileDir, { recursive: true, force: true });
});

// `STAMPEDE_SCREENSHOTS=1` writes each page at 1280×800 into docs/images/ (committed for the
// docs); otherwise they go to the test's temporary directory and are thrown away.
const SHOTS = process.env['STAMPEDE_SCREENSHOTS'] === '1' ? join(REPO, 'docs/images') : '';

/** The serious and critical axe violations of `page` (screenshot `name` taken first), one line each. */
async function violations(page: Page, name: string): Promise<string[]> {
  await page.screenshot({
    path: join(SHOTS || cluster.tmp, `web-ui-${name.replace(/ /g, '-')}.png`),
  });
  const result = await new AxeBuilder({ page }).analyze();
  // axe really looked at the page (a page it could not analyse would pass with no rule run).
  assert.ok(result.passes.length > 10, `axe ran only ${result.passes.length} passing rules`);
  if (process.env['A11Y_VERBOSE'] === '1')
    console.log(
      page.url(),
      result.violations.map((v) => `${v.id}:${v.impact}`),
    );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

test(
  'every page of the UI and the HTML report: no serious or critical axe violation',
  { skip, timeout: 180_000 },
  async () => {
    assert.ok(browser);
    const api = cluster.api;
    const scriptFile = join(cluster.tmp, 'a11y.ts');
    const script = `import { check, http, sleep } from 'stampede';
export const options = { duration: '4s', vus: 2, thresholds: { http_req_failed: ['rate<0.5'] } };
export default async function () {
  const res = await http.get(__ENV.TARGET + '/a11y', { tags: { name: 'a11y' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
  await sleep(0.02);
}
`;
    writeFileSync(scriptFile, script);
    const env = { TARGET: target.url };
    const run = await api.startRun({
      archiveSha256: await api.upload(scriptFile, env),
      pool: 'local',
      env,
    });
    await api.waitStatus(run.id, ['passed', 'failed', 'aborted', 'errored'], 90_000);

    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const found: Record<string, string[]> = {};
    await page.goto(`${cluster.server?.url}/`);
    await page.locator('#token').waitFor();
    found['sign-in'] = await violations(page, 'sign-in');
    await page.locator('#token').fill(cluster.adminToken);
    await page.keyboard.press('Enter'); // signing in works from the keyboard
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('heading', { name: 'Generators' }).waitFor();
    found['overview'] = await violations(page, 'overview');
    for (const [name, hash, ready] of [
      ['runs', '#/runs', () => page.locator(`tr[data-run-id="${run.id}"]`).first().waitFor()],
      ['run', `#/runs/${run.id}`, () => page.getByTestId('result-requests').waitFor()],
      ['generators', '#/generators', () => page.getByTestId('generators').waitFor()],
      [
        'comparisons',
        '#/comparisons',
        () => page.getByRole('heading', { name: 'Comparisons' }).waitFor(),
      ],
      ['not found', '#/runs/no-such-run', () => page.getByTestId('not-found').waitFor()],
    ] as const) {
      await page.goto(`${cluster.server?.url}/${hash}`);
      await ready();
      found[name] = await violations(page, name);
    }
    await context.close();

    // The HTML report of a local run, opened from file://.
    const summaryPath = join(cluster.tmp, 'a11y-summary.json');
    const ndjson = join(cluster.tmp, 'a11y.ndjson');
    const reportPath = join(cluster.tmp, 'a11y.html');
    const local = await runCli(
      [
        'run',
        scriptFile,
        '--quiet',
        '--workers',
        '1',
        '--env',
        `TARGET=${target.url}`,
        '--summary-json',
        summaryPath,
        '--out',
        `json=${ndjson}`,
        '--out',
        `html=${reportPath}`,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(local.code, 0, describeResult(local));
    const offline = await browser.newContext({
      offline: true,
      viewport: { width: 1280, height: 800 },
    });
    const reportPage = await offline.newPage();
    await reportPage.goto(pathToFileURL(reportPath).href);
    await reportPage.locator('.chart canvas').first().waitFor();
    found['report'] = await violations(reportPage, 'report');
    await offline.close();

    const bad = Object.entries(found).filter(([, list]) => list.length > 0);
    assert.deepEqual(bad, [], bad.map(([p, list]) => `${p}:\n  ${list.join('\n  ')}`).join('\n'));
  },
);
