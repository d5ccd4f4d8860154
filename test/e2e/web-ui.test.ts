// The web UI in a real browser: Debian's Chromium (never a downloaded one) driven by
// playwright-core against a real controller (`stampede server`, port 0, one local generator)
// running a real short test against a counting target on port 0. Signs in, follows a run from the
// overview to its live page (numbers and chart canvases), checks that a read-only token sees no
// Abort button, that back/forward work, and that the finished page's numbers equal the API's.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type {
  ComparisonView,
  GeneratorView,
  RunLive,
  Summary,
  TimeSeries,
} from '@stampede/protocol';
import { Cluster, waitFor, type CountingTarget } from './cluster-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does it)`;

const script = (duration: string): string => `
import { check, http, sleep } from 'stampede';
export const options = { vus: 2, duration: '${duration}', thresholds: { http_req_failed: ['rate<0.5'] } };
export default async function () {
  const res = await http.get(__ENV.TARGET + '/ui');
  check(res, { 'status is 200': (r) => r.status === 200 });
  await sleep(0.02);
}
`;

const cluster = new Cluster();
let target: CountingTarget;
let context: BrowserContext | undefined;
let profileDir = '';
let readerToken = '';

before(async () => {
  if (skip !== false) return;
  target = await cluster.target();
  await cluster.startServer({ localGenerators: 1 });
  await cluster.waitIdle(1, 'local', 60_000);
  profileDir = mkdtempSync(join(tmpdir(), 'stampede-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true, // the controller's certificate chains to its own CA
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
  context.setDefaultTimeout(20_000);
});
after(async () => {
  await context?.close();
  await cluster.cleanup();
  if (profileDir !== '') rmSync(profileDir, { recursive: true, force: true });
});

/** A figure of the page as a number ("1,234" → 1234). */
async function figure(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, ''));
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${cluster.server?.url}/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test(
  'sign in, follow a live run, read-only view, back/forward, and the result equals the API',
  { skip, timeout: 150_000 },
  async () => {
    const ctx = context;
    assert.ok(ctx);
    const api = cluster.api;
    const scriptFile = join(cluster.tmp, 'ui.ts');
    writeFileSync(scriptFile, script('12s'));
    const env = { TARGET: target.url };
    const archiveSha256 = await api.upload(scriptFile, env);
    const run = await api.startRun({ archiveSha256, pool: 'local', env });
    const reader = (await api.ok('POST', '/tokens', {
      json: { name: 'viewer', scopes: ['read'] },
    })) as {
      token: string;
    };

    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // A wrong token is refused on the sign-in page, and it never lands in the URL.
    await signIn(page, `sta_${'x'.repeat(43)}`);
    await page.getByTestId('sign-in-error').waitFor();
    assert.match((await page.getByTestId('sign-in-error').textContent()) ?? '', /not accepted/);
    assert.doesNotMatch(page.url(), /sta_/);

    // The admin signs in; the overview lists the run among queued and running ones.
    await page.locator('#token').fill(cluster.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(
      await page.evaluate(() => sessionStorage.getItem('stampede.token')),
      cluster.adminToken,
    );
    await page.locator(`tr[data-run-id="${run.id}"] a`).first().click();
    assert.ok(page.url().endsWith(`#/runs/${run.id}`), page.url());

    // Live: rising request counts, chart canvases, an Abort button for this admin.
    await api.waitStatus(run.id, ['running', 'passed', 'failed'], 60_000);
    await waitFor(
      async () => (await figure(page, 'live-total-requests')) > 0,
      20_000,
      'live requests on the page',
    );
    const shown = await figure(page, 'live-total-requests');
    const live = (await api.ok('GET', `/runs/${run.id}/live`)) as RunLive;
    assert.ok(
      shown > 0 && shown <= live.totalRequests,
      `page ${shown}, API afterwards ${live.totalRequests}`,
    );
    await page.locator('.chart canvas').first().waitFor();
    assert.ok((await page.locator('.chart canvas').count()) >= 3);
    assert.equal(await page.getByRole('button', { name: 'Abort' }).count(), 1);

    // A read-only token, in its own tab (own session storage), sees the live run but no Abort.
    const readerPage = await ctx.newPage();
    await signIn(readerPage, reader.token);
    await readerPage.getByTestId('scope').filter({ hasText: 'read-only' }).waitFor();
    await readerPage.goto(`${cluster.server?.url}/#/runs/${run.id}`);
    await readerPage.getByTestId('run-status').waitFor();
    const stillRunning = (await api.run(run.id)).status === 'running';
    if (stillRunning) await readerPage.getByTestId('live-total-requests').waitFor();
    assert.equal(await readerPage.getByRole('button', { name: 'Abort' }).count(), 0);
    await readerPage.close();
    readerToken = reader.token;

    // The runs list filters by status through its URL.
    await page.goto(`${cluster.server?.url}/#/runs?status=queued`);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByText('No run matches these filters.').waitFor();
    await page.goto(`${cluster.server?.url}/#/runs/${run.id}`);
    await page.getByTestId('run-status').waitFor();

    // Back and forward move between shareable URLs.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.goBack();
    await page.getByTestId('run-status').waitFor();
    assert.ok(page.url().endsWith(`#/runs/${run.id}`));
    await page.goForward();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.goBack();

    // Finished: the page's totals equal the API's summary.
    const ended = await api.waitStatus(run.id, ['passed', 'failed', 'aborted', 'errored'], 90_000);
    assert.equal(ended.status, 'passed', ended.statusReason);
    const summary = (await api.ok('GET', `/runs/${run.id}/summary`)) as Summary;
    const reqs = summary.metrics['http_reqs'];
    assert.ok(reqs?.type === 'counter');
    await page.getByTestId('result-requests').waitFor({ timeout: 30_000 });
    assert.equal(await figure(page, 'result-requests'), reqs.values.count);
    assert.equal(reqs.values.count, target.count('/ui'));
    assert.equal(await page.getByTestId('result-result').textContent(), summary.result);
    assert.equal(await page.getByRole('button', { name: 'Abort' }).count(), 0);

    // The ended run's charts cover the whole run, from the stored snapshots.
    const whole = (await api.ok('GET', `/runs/${run.id}/series`)) as TimeSeries;
    assert.ok(whole.timesSec.length >= 8, `${whole.timesSec.length} points for a 12 s run`);
    assert.ok(whole.p99Ms.some((v) => v !== null && v > 0));
    await page.getByTestId('whole-run-charts').locator('canvas').first().waitFor();
    assert.equal(await page.getByTestId('whole-run-charts').locator('canvas').count(), 4);

    // An unknown run is a clear "not found" page, not a blank screen.
    await page.goto(`${cluster.server?.url}/#/runs/no-such-run`);
    await page.getByTestId('not-found').waitFor();
    assert.deepEqual(pageErrors, []);
    await page.close();
  },
);

test(
  'Abort asks for confirmation and ends the run aborted; the API refuses a read-only abort',
  { skip, timeout: 120_000 },
  async () => {
    const ctx = context;
    assert.ok(ctx);
    assert.notEqual(readerToken, '', 'the first test made the read-only token');
    const api = cluster.api;
    const scriptFile = join(cluster.tmp, 'long.ts');
    writeFileSync(scriptFile, script('60s'));
    const env = { TARGET: target.url };
    const run = await api.startRun({
      archiveSha256: await api.upload(scriptFile, env),
      pool: 'local',
      env,
    });
    const page = await ctx.newPage();
    await signIn(page, cluster.adminToken);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(`${cluster.server?.url}/#/runs/${run.id}`);
    await api.waitStatus(run.id, ['running'], 60_000);
    await waitFor(
      async () => (await figure(page, 'live-total-requests')) > 0,
      20_000,
      'live requests',
    );

    // Live percentiles of the merged last interval, in order, and plotted as three lines.
    await waitFor(
      async () => /ms$/.test((await page.getByTestId('live-p99').textContent()) ?? ''),
      20_000,
      'live p99 on the page',
    );
    const [p50, p95, p99] = [
      await figure(page, 'live-p50'),
      await figure(page, 'live-p95'),
      await figure(page, 'live-p99'),
    ];
    assert.ok(p50 > 0 && p50 <= p95 && p95 <= p99, `p50 ${p50} p95 ${p95} p99 ${p99}`);
    assert.match((await page.getByTestId('live-error-rate').textContent()) ?? '', /^0\.00 %$/);
    const latency = page.locator('[data-chart^="Latency p50"]');
    await latency.locator('canvas').waitFor();
    const legend = await latency.locator('.u-legend .u-label').allTextContents();
    assert.deepEqual(legend.slice(1), ['p50', 'p95', 'p99']);
    assert.equal(await page.locator('[data-chart="Error rate"] canvas').count(), 1);

    const refused = await api.call('POST', `/runs/${run.id}/abort`, { token: readerToken });
    assert.equal(refused.status, 403);

    // Dismissing the confirmation leaves the run running.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Abort' }).click();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await api.run(run.id)).status, 'running');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Abort' }).click();
    const ended = await api.waitStatus(run.id, ['aborted', 'passed', 'failed', 'errored'], 60_000);
    assert.equal(ended.status, 'aborted', ended.statusReason);
    await page
      .getByTestId('run-status')
      .filter({ hasText: 'aborted' })
      .waitFor({ timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Abort' }).count(), 0);
    await page.close();
  },
);

test(
  'the comparisons list and one comparison page show its runs and its verdict table',
  { skip, timeout: 180_000 },
  async () => {
    const ctx = context;
    assert.ok(ctx);
    const api = cluster.api;
    const scriptFile = join(cluster.tmp, 'tiny.ts');
    writeFileSync(
      scriptFile,
      `import { http } from 'stampede';
export const options = { iterations: 20, vus: 2 };
export default async function () { await http.get(__ENV.TARGET + '/cmp'); }
`,
    );
    const env = { TARGET: target.url };
    const archiveSha256 = await api.upload(scriptFile, env);
    const job = (await api.ok('POST', '/experiments', {
      json: { a: { archiveSha256, env }, b: { archiveSha256, env }, runsPerSide: 3, pool: 'local' },
    })) as ComparisonView;
    const page = await ctx.newPage();
    await signIn(page, cluster.adminToken);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Comparisons' }).click();
    await page.locator(`tr[data-comparison-id="${job.id}"] a`).click();
    assert.ok(page.url().endsWith(`#/comparisons/${job.id}`), page.url());
    const done = await waitFor(
      async () => {
        const c = (await api.ok('GET', `/comparisons/${job.id}`)) as ComparisonView;
        return ['done', 'errored', 'aborted'].includes(c.status) ? c : undefined;
      },
      150_000,
      'the experiment to end',
    );
    assert.equal(done.status, 'done', done.statusReason);
    assert.ok(done.result);
    await page.getByTestId('verdicts').waitFor({ timeout: 30_000 });
    const rows = page.locator('[data-testid="verdicts"] tbody tr');
    assert.equal(await rows.count(), done.result.rows.length);
    const first = done.result.rows[0];
    assert.ok(first);
    assert.equal(await rows.first().getAttribute('data-verdict'), first.verdict);
    assert.match((await rows.first().textContent()) ?? '', new RegExp(first.statistic));
    // Six runs, each linking to its run page.
    assert.equal(await page.locator('a[href^="#/runs/"]').count(), 6);
    assert.match(
      (await page.getByTestId('comparison-verdict').textContent()) ?? '',
      /No regression|Regressed/,
    );
    await page.goto(`${cluster.server?.url}/#/comparisons/no-such-job`);
    await page.getByTestId('not-found').waitFor();
    await page.close();
  },
);

test(
  'the controller going away: the page says "reconnecting" and recovers when it is back',
  { skip, timeout: 120_000 },
  async () => {
    const ctx = context;
    const server = cluster.server;
    assert.ok(ctx && server);
    const page = await ctx.newPage();
    await signIn(page, cluster.adminToken);
    await page.getByRole('heading', { name: 'Recent results' }).waitFor();
    await cluster.stop(server);
    await page
      .getByText('The controller cannot be reached: reconnecting')
      .waitFor({ timeout: 30_000 });
    // The last data stays on the page meanwhile.
    assert.equal(await page.getByRole('heading', { name: 'Recent results' }).count(), 1);
    await cluster.startServer({ port: server.port, dataDir: server.dataDir });
    await page
      .getByText('The controller cannot be reached: reconnecting')
      .waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('heading', { name: 'Recent results' }).waitFor();
    await page.close();
  },
);

test(
  'the generators page: a read-only token sees no Terminate; an admin terminates one after confirming',
  { skip, timeout: 120_000 },
  async () => {
    const ctx = context;
    assert.ok(ctx);
    assert.notEqual(readerToken, '', 'the first test made the read-only token');
    const agent = await cluster.startAgent({ name: 'ui-victim' });
    await cluster.waitIdle(1, 'static', 30_000);
    const row = (page: Page) => page.locator(`tr[data-generator-id="${agent.agentId}"]`);

    const reader = await ctx.newPage();
    await signIn(reader, readerToken);
    await reader.getByTestId('scope').filter({ hasText: 'read-only' }).waitFor();
    await reader.getByRole('link', { name: 'Generators' }).click();
    await row(reader).waitFor();
    assert.match((await row(reader).textContent()) ?? '', /ui-victim.*static.*idle/s);
    assert.equal(await reader.getByRole('button', { name: /Terminate/ }).count(), 0);
    await reader.close();

    const page = await ctx.newPage();
    await signIn(page, cluster.adminToken);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(`${cluster.server?.url}/#/generators`);
    const button = row(page).getByRole('button', { name: 'Terminate ui-victim' });
    page.once('dialog', (d) => void d.dismiss());
    await button.click();
    await new Promise((r) => setTimeout(r, 500));
    const still = (await cluster.api.ok('GET', '/generators')) as { items: GeneratorView[] };
    assert.equal(still.items.find((g) => g.id === agent.agentId)?.status, 'idle');

    page.once('dialog', (d) => void d.accept());
    await button.click();
    await waitFor(
      async () => {
        const list = (await cluster.api.ok('GET', '/generators?includeRetired=true')) as {
          items: GeneratorView[];
        };
        const s = list.items.find((g) => g.id === agent.agentId)?.status;
        return s === 'terminating' || s === 'terminated';
      },
      30_000,
      'the generator to be terminated',
    );
    await page.goto(`${cluster.server?.url}/#/generators?retired=1`);
    await row(page)
      .filter({ hasText: /terminat/ })
      .waitFor({ timeout: 30_000 });
    await page.close();
  },
);
