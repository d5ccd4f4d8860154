// The self-contained HTML report in a real browser (Debian's Chromium via playwright-core): a
// local run writes it with `--out html=`, `stampede report` writes it afterwards, and either file
// opened from file:// with the network blocked makes no request at all, draws its charts and
// shows the same numbers as the summary JSON.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import {
  counterOf,
  describeResult,
  readSummary,
  runCli,
  startRecordingTarget,
  tempDir,
  type RecordingTarget,
} from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`;

const SCRIPT = `
import { check, http, sleep } from 'stampede';
export const options = {
  vus: 2,
  duration: '3s',
  thresholds: { http_req_failed: ['rate<0.9'], http_req_duration: ['p(99)<0.001'] },
};
export default async function () {
  const res = await http.get(__ENV.TARGET + '/home', { tags: { name: 'home' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
  await http.get(__ENV.TARGET + '/broken', { tags: { name: 'broken' } });
  await sleep(0.05);
}
`;

let target: RecordingTarget;
let browser: Browser | undefined;
const tmp = tempDir({ 'report.ts': SCRIPT });

before(async () => {
  target = await startRecordingTarget((req, res) => {
    if (!req.path.startsWith('/broken')) return false;
    res.writeHead(500).end('no');
    return true;
  });
  if (skip !== false) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
    timeout: 30_000,
  });
});
after(async () => {
  await browser?.close();
  await target.close();
  tmp.cleanup();
});

interface Opened {
  requests: string[];
  consoleErrors: string[];
  canvases: number;
  text: (testId: string) => Promise<string>;
  body: string;
  close: () => Promise<void>;
}

/** Opens `path` from file:// offline, every non-file request aborted and recorded. */
async function openOffline(path: string): Promise<Opened> {
  assert.ok(browser);
  const context = await browser.newContext({
    offline: true,
    viewport: { width: 1280, height: 800 },
  });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const url = pathToFileURL(path).href;
  // The report file itself is the only thing allowed to load; anything else is aborted (and
  // recorded by the request listener below).
  await context.route('**/*', (route) =>
    route.request().url() === url ? void route.continue() : void route.abort(),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url);
  await page.getByTestId('result-requests').waitFor();
  return {
    requests: requests.filter((r) => r !== url),
    consoleErrors,
    canvases: await page.locator('.chart canvas').count(),
    text: async (id) => (await page.getByTestId(id).textContent()) ?? '',
    body: (await page.locator('body').textContent()) ?? '',
    close: () => context.close(),
  };
}

test(
  'run --out html= and stampede report write one file that opens offline with charts and the summary numbers',
  { skip, timeout: 120_000 },
  async () => {
    const run = await runCli(
      [
        'run',
        tmp.path('report.ts'),
        '--workers',
        '2',
        '--quiet',
        '--env',
        `TARGET=${target.url}`,
        '--summary-json',
        tmp.path('summary.json'),
        '--out',
        `json=${tmp.path('intervals.ndjson')}`,
        '--out',
        `html=${tmp.path('run.html')}`,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 99, describeResult(run)); // the p(99) threshold is meant to fail
    assert.match(run.stderr, /report written: .*run\.html/);
    const summary = readSummary(tmp.path('summary.json'));
    const requests = counterOf(summary, 'http_reqs');
    assert.ok(requests > 10, `${requests} requests`);

    const later = await runCli([
      'report',
      tmp.path('summary.json'),
      tmp.path('intervals.ndjson'),
      '-o',
      tmp.path('later.html'),
    ]);
    assert.equal(later.code, 0, describeResult(later));

    for (const file of ['run.html', 'later.html']) {
      const html = readFileSync(tmp.path(file), 'utf8');
      assert.doesNotMatch(
        html,
        /<script[^>]+src=|<link[^>]+stylesheet/,
        `${file}: nothing external`,
      );
      const opened = await openOffline(tmp.path(file));
      try {
        assert.deepEqual(opened.requests, [], `${file}: no request besides the file itself`);
        assert.deepEqual(opened.consoleErrors, [], `${file}: no error (CSP included)`);
        assert.equal(opened.canvases, 4, `${file}: rate, latency, error rate and VU charts`);
        assert.equal(Number((await opened.text('result-requests')).replace(/,/g, '')), requests);
        assert.equal(await opened.text('result-result'), summary.result);
        assert.match(await opened.text('endpoints'), /home.*broken|broken.*home/s);
        assert.match(await opened.text('errors'), /HTTP 500/);
        assert.match(opened.body, /p\(99\)<0\.001/, 'the thresholds table');
        assert.match(opened.body, /status is 200/, 'the checks table');
      } finally {
        await opened.close();
      }
    }

    // From the intervals alone: the same charts and totals, and a note that thresholds are unknown.
    const fromIntervals = await runCli([
      'report',
      tmp.path('intervals.ndjson'),
      '-o',
      tmp.path('intervals.html'),
    ]);
    assert.equal(fromIntervals.code, 0, describeResult(fromIntervals));
    const opened = await openOffline(tmp.path('intervals.html'));
    try {
      assert.deepEqual(opened.requests, []);
      assert.equal(opened.canvases, 4);
      assert.equal(Number((await opened.text('result-requests')).replace(/,/g, '')), requests);
      assert.match(await opened.text('report-note'), /thresholds are not known/);
    } finally {
      await opened.close();
    }
  },
);

test('stampede report: bad input exits 2 naming the file or the flag', async () => {
  const missing = await runCli(['report', tmp.path('nope.json'), '-o', tmp.path('x.html')]);
  assert.equal(missing.code, 2, describeResult(missing));
  assert.match(missing.stderr, /nope\.json.*no such file/);
  assert.match(missing.stderr, /Usage: stampede report/);

  const noOutput = await runCli(['report', tmp.path('nope.json')]);
  assert.equal(noOutput.code, 2);
  assert.match(noOutput.stderr, /-o FILE is required/);

  const bad = tempDir({ 'bad.ndjson': '{"v":1,"source":"w0","seq":0,"series":[]}\n' });
  try {
    const badLine = await runCli(['report', bad.path('bad.ndjson'), '-o', bad.path('x.html')]);
    assert.equal(badLine.code, 2, describeResult(badLine));
    assert.match(badLine.stderr, /bad\.ndjson:1/);
    assert.equal(existsSync(bad.path('x.html')), false);
  } finally {
    bad.cleanup();
  }
});
