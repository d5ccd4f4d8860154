// Archives, runs and what runs produce: the happy paths and the refusals (caps, allow-list,
// unknown archives), against whichever store the caller gives.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  archiveInfoSchema,
  healthSchema,
  runLiveSchema,
  runLogsSchema,
  runPageSchema,
  runPlanSchema,
  runTransitionListSchema,
  runViewSchema,
  summarySchema,
  type RunLive,
  type Summary,
} from '@stampede/protocol';
import { archiveBytes, call, upload, withApi, type ApiHarness, type MakeStore } from './harness.ts';

/** A small valid summary as the aggregator would store it. */
export const SUMMARY: Summary = {
  version: 1,
  tool: { name: 'stampede', version: '0.1.0' },
  startedAt: '2024-01-01T00:00:00.000Z',
  endedAt: '2024-01-01T00:00:10.000Z',
  durationMs: 10_000,
  result: 'failed',
  abortReason: null,
  scenarios: { default: { executor: 'constant-vus', iterations: 7, droppedIterations: 0 } },
  metrics: {
    http_reqs: { type: 'counter', contains: 'default', values: { count: 12, rate: 1.2 } },
    iterations: { type: 'counter', contains: 'default', values: { count: 7, rate: 0.7 } },
  },
  thresholds: {
    http_req_duration: [{ expression: 'p(95)<1', ok: false, value: 3, abortOnFail: false }],
  },
  checks: [],
  generator: {
    workers: 1,
    eventLoopDelayP99Ms: 1,
    cpuUtilization: 0.1,
    cpuUtilizationMax: 0.2,
    saturated: false,
    reasons: [],
  },
};

/** Starts a run of a fresh archive (or `sha256`) with the read+run token; returns the answer. */
export async function startRun(h: ApiHarness, body: Record<string, unknown> = {}) {
  const archiveSha256 = (body['archiveSha256'] as string | undefined) ?? (await upload(h));
  const res = await call(h.app, 'POST', '/api/v1/runs', {
    token: h.tokens.readRun,
    json: { archiveSha256, ...body },
  });
  return res;
}

/** Registers the archive and run tests on stores made by `makeStore`. */
export function runsSuite(makeStore: MakeStore): void {
  const api = (fn: (h: ApiHarness) => Promise<void>) => () => withApi(makeStore, fn);

  describe('archives and runs', () => {
    test(
      'health needs no token',
      api(async (h) => {
        const res = await call(h.app, 'GET', '/api/v1/health');
        assert.equal(res.statusCode, 200);
        const health = healthSchema.parse(res.json());
        assert.equal(health.status, 'ok');
      }),
    );

    test(
      'upload stores the archive once, content-addressed',
      api(async (h) => {
        const bytes = archiveBytes('export default () => {}', ['127.0.0.1:8080']);
        const first = await call(h.app, 'POST', '/api/v1/archives', {
          token: h.tokens.run,
          raw: bytes,
          contentType: 'application/octet-stream',
        });
        assert.equal(first.statusCode, 201, first.body);
        const info = archiveInfoSchema.parse(first.json());
        assert.equal(info.sizeBytes, bytes.length);
        assert.equal(info.created, true);
        const again = await call(h.app, 'POST', '/api/v1/archives', {
          token: h.tokens.run,
          raw: bytes,
          contentType: 'application/octet-stream',
          headers: { 'x-stampede-sha256': info.sha256 },
        });
        assert.equal(again.statusCode, 200);
        assert.equal(archiveInfoSchema.parse(again.json()).created, false);
        const stored = await h.store.getBundle(info.sha256);
        assert.deepEqual(Buffer.from(stored.content), bytes);
        const get = await call(h.app, 'GET', `/api/v1/archives/${info.sha256}`, {
          token: h.tokens.read,
        });
        assert.equal(get.statusCode, 200);
        assert.equal(archiveInfoSchema.parse(get.json()).sha256, info.sha256);
      }),
    );

    test(
      'a run is stored queued, enqueued on its pool, audited, and wakes the scheduler',
      api(async (h) => {
        const sha = await upload(
          h,
          archiveBytes('await http.get("http://api.example.com/x");', ['127.0.0.1:8080']),
        );
        const res = await startRun(h, {
          archiveSha256: sha,
          generators: 2,
          overrides: { vus: 5, durationMs: 30_000 },
          env: { API_KEY: 'secret-value', TARGET: 'https://shop.example.com:8443/' },
          labels: { branch: 'main' },
        });
        assert.equal(res.statusCode, 201, res.body);
        assert.doesNotMatch(res.body, /secret-value/);
        const view = runViewSchema.parse(res.json());
        assert.equal(res.headers['location'], `/api/v1/runs/${view.id}`);
        assert.equal(view.status, 'queued');
        assert.equal(view.generatorsRequested, 2);
        assert.equal(view.pool, 'local');
        assert.deepEqual(view.envKeys, ['API_KEY', 'TARGET']);
        assert.deepEqual(view.overrides, { vus: 5, durationMs: 30_000 });
        assert.deepEqual(view.labels, { branch: 'main' });
        assert.match(view.createdBy, /^ci \(/);
        assert.equal(view.summary, null);

        const run = await h.store.getRun(view.id);
        assert.deepEqual(runPlanSchema.parse(JSON.parse(run.planJson)), {
          archiveSha256: sha,
          overrides: { vus: 5, durationMs: 30_000 },
          env: { API_KEY: 'secret-value', TARGET: 'https://shop.example.com:8443/' },
          // The default project has no policy: the installation's list and cap (issue 13 item 8).
          allowTargets: ['api.example.com', 'shop.example.com:8443', 'loopback'],
          maxDurationMs: 3_600_000,
        });
        const jobs = await h.store.listJobs({ queue: 'local' });
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]?.kind, 'run');
        assert.deepEqual(JSON.parse(jobs[0]?.payloadJson ?? ''), { runId: view.id });
        const audit = await h.store.listAudit();
        assert.equal(audit[0]?.action, 'run.start');
        assert.equal(audit[0]?.target, view.id);
        assert.equal(audit[0]?.actor, view.createdBy);
        assert.equal(h.runs.wakes, 1);
      }),
    );

    test(
      'a run on a named pool is queued on that pool',
      api(async (h) => {
        // The pool is known: a join token will put an agent in it.
        await h.store.createJoinToken({
          name: 'eu-west/agent-1',
          tokenHash: 'e'.repeat(64),
          expiresAtMs: h.clock.nowMs() + 60_000,
        });
        const res = await startRun(h, { pool: 'eu-west' });
        assert.equal(res.statusCode, 201, res.body);
        assert.equal(runViewSchema.parse(res.json()).pool, 'eu-west');
        assert.equal((await h.store.listJobs({ queue: 'eu-west' })).length, 1);
        assert.equal((await h.store.listJobs({ queue: 'local' })).length, 0);
      }),
    );

    test(
      'caps on generators, duration and rate refuse the run with 422 naming each field',
      api(async (h) => {
        const cases: [Record<string, unknown>, string][] = [
          [{ generators: 5 }, 'body.generators'],
          [{ overrides: { durationMs: 3_600_001 } }, 'body.overrides.durationMs'],
          [
            {
              overrides: {
                stages: [
                  { duration: 3_000_000, target: 5 },
                  { duration: 700_000, target: 0 },
                ],
              },
            },
            'body.overrides.stages',
          ],
          [{ overrides: { ratePerSec: 10_001, durationMs: 1000 } }, 'body.overrides.ratePerSec'],
        ];
        for (const [body, field] of cases) {
          const res = await startRun(h, body);
          assert.equal(res.statusCode, 422, res.body);
          const err = res.json() as { code: string; message: string; details: unknown };
          assert.equal(err.code, 'CAP_EXCEEDED');
          assert.ok(err.message.includes(field), err.message);
        }
        assert.equal((await h.store.listRuns()).items.length, 0);
        assert.equal(h.runs.wakes, 0);
      }),
    );

    test(
      'targets outside the allow-list are refused by name: archive list, script literals, env URLs',
      api(async (h) => {
        const refused: [Buffer, Record<string, string>, string][] = [
          [archiveBytes('', ['evil.example.com:443']), {}, 'evil.example.com:443'],
          [archiveBytes('http.get("https://other.example.net/a");'), {}, 'other.example.net:443'],
          [archiveBytes('', ['shop.example.com:80']), {}, 'shop.example.com:80'],
          [archiveBytes(''), { TARGET: 'http://10.0.0.7:9000/' }, '10.0.0.7:9000'],
        ];
        for (const [bytes, env, host] of refused) {
          const res = await startRun(h, { archiveSha256: await upload(h, bytes), env });
          assert.equal(res.statusCode, 422, res.body);
          const err = res.json() as {
            code: string;
            message: string;
            details: { targets: string[] };
          };
          assert.equal(err.code, 'TARGET_NOT_ALLOWED');
          assert.ok(err.message.includes(host), err.message);
          assert.deepEqual(err.details.targets, [host]);
        }
        const bundled =
          '\n// node_modules/sdk/index.js\nvar u = "https://telemetry.vendor.io/";\n\n// test.ts\nhttp.get("http://localhost:3000/");\n';
        const allowed: Buffer[] = [
          archiveBytes(bundled),
          archiveBytes('', ['api.example.com:443', 'shop.example.com:8443', '[::1]:80']),
          archiveBytes('const h = __ENV.HOST; http.get(`https://${h}/x`);'),
        ];
        for (const bytes of allowed) {
          const res = await startRun(h, { archiveSha256: await upload(h, bytes) });
          assert.equal(res.statusCode, 201, res.body);
        }
      }),
    );

    test('loopback is refused when the installation disallows it', async () => {
      await withApi(
        makeStore,
        async (h) => {
          const res = await startRun(h, {
            archiveSha256: await upload(h, archiveBytes('', ['127.0.0.1:8080'])),
          });
          assert.equal(res.statusCode, 422, res.body);
          assert.match(res.body, /127\.0\.0\.1:8080/);
        },
        { config: { allowLoopback: false } },
      );
    });

    test(
      'unknown archive → 404, bytes that are no archive → 422, unknown project → 404',
      api(async (h) => {
        const missing = await startRun(h, { archiveSha256: 'a'.repeat(64) });
        assert.equal(missing.statusCode, 404);
        assert.equal((missing.json() as { code: string }).code, 'ARCHIVE_NOT_FOUND');
        const bundle = await h.store.putBundle(Buffer.from('not an archive'));
        const bad = await startRun(h, { archiveSha256: bundle.sha256 });
        assert.equal(bad.statusCode, 422);
        assert.equal((bad.json() as { code: string }).code, 'INVALID_ARCHIVE');
        const project = await startRun(h, { projectId: 'prj_nope' });
        assert.equal(project.statusCode, 404, project.body);
        assert.equal((await h.store.listRuns()).items.length, 0);
      }),
    );

    test(
      'runs list newest first, paged by cursor, filtered by status',
      api(async (h) => {
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          h.clock.t += 1000;
          ids.push(runViewSchema.parse((await startRun(h)).json()).id);
        }
        const first = await call(h.app, 'GET', '/api/v1/runs?limit=2', { token: h.tokens.read });
        assert.equal(first.statusCode, 200, first.body);
        const page1 = runPageSchema.parse(first.json());
        assert.deepEqual(
          page1.items.map((r) => r.id),
          [ids[2], ids[1]],
        );
        assert.ok(page1.nextCursor);
        const second = await call(
          h.app,
          'GET',
          `/api/v1/runs?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`,
          { token: h.tokens.read },
        );
        const page2 = runPageSchema.parse(second.json());
        assert.deepEqual(
          page2.items.map((r) => r.id),
          [ids[0]],
        );
        assert.equal(page2.nextCursor, null);
        await call(h.app, 'POST', `/api/v1/runs/${ids[0]}/abort`, { token: h.tokens.run });
        const aborted = runPageSchema.parse(
          (
            await call(h.app, 'GET', '/api/v1/runs?status=aborted,failed', { token: h.tokens.read })
          ).json(),
        );
        assert.deepEqual(
          aborted.items.map((r) => r.id),
          [ids[0]],
        );
      }),
    );

    test(
      'runs list filtered by labels; a malformed label filter is a 400 naming the field',
      api(async (h) => {
        const main = runViewSchema.parse(
          (await startRun(h, { labels: { branch: 'main', commit: 'abc' } })).json(),
        );
        h.clock.t += 1000;
        await startRun(h, { labels: { branch: 'feature' } });
        const get = async (q: string) =>
          call(h.app, 'GET', `/api/v1/runs?${q}`, { token: h.tokens.read });
        const page = runPageSchema.parse((await get('label=branch%3Dmain')).json());
        assert.deepEqual(
          page.items.map((r) => r.id),
          [main.id],
        );
        const both = runPageSchema.parse((await get('label=branch%3Dmain,commit%3Dxyz')).json());
        assert.deepEqual(both.items, []);
        const bad = await get('label=branch');
        assert.equal(bad.statusCode, 400, bad.body);
        assert.match(bad.body, /label/);
      }),
    );

    test(
      'one run, its transitions, logs, live view and summary',
      api(async (h) => {
        const view = runViewSchema.parse((await startRun(h)).json());
        const get = await call(h.app, 'GET', `/api/v1/runs/${view.id}`, { token: h.tokens.read });
        assert.equal(get.statusCode, 200);
        assert.deepEqual(runViewSchema.parse(get.json()), view);

        const tr = await call(h.app, 'GET', `/api/v1/runs/${view.id}/transitions`, {
          token: h.tokens.read,
        });
        const transitions = runTransitionListSchema.parse(tr.json()).items;
        assert.deepEqual(
          transitions.map((t) => [t.from, t.to]),
          [[null, 'queued']],
        );

        for (const m of ['one', 'two', 'three']) {
          await h.store.appendRunLog({ runId: view.id, source: 'g0', level: 'info', message: m });
        }
        const logs = runLogsSchema.parse(
          (
            await call(h.app, 'GET', `/api/v1/runs/${view.id}/logs?limit=2`, {
              token: h.tokens.read,
            })
          ).json(),
        );
        assert.deepEqual(
          logs.items.map((l) => l.message),
          ['one', 'two'],
        );
        const rest = runLogsSchema.parse(
          (
            await call(h.app, 'GET', `/api/v1/runs/${view.id}/logs?afterId=${logs.nextAfterId}`, {
              token: h.tokens.read,
            })
          ).json(),
        );
        assert.deepEqual(
          rest.items.map((l) => l.message),
          ['three'],
        );

        const fallback = runLiveSchema.parse(
          (
            await call(h.app, 'GET', `/api/v1/runs/${view.id}/live`, { token: h.tokens.read })
          ).json(),
        );
        assert.equal(fallback.status, 'queued');
        assert.equal(fallback.totalRequests, 0);
        const live: RunLive = { ...fallback, status: 'running', vus: 9, totalRequests: 100 };
        h.runs.liveViews.set(view.id, live);
        const held = await call(h.app, 'GET', `/api/v1/runs/${view.id}/live`, {
          token: h.tokens.read,
        });
        assert.deepEqual(runLiveSchema.parse(held.json()), live);

        const none = await call(h.app, 'GET', `/api/v1/runs/${view.id}/summary`, {
          token: h.tokens.read,
        });
        assert.equal(none.statusCode, 404);
        await h.store.setRunSummary(view.id, JSON.stringify(SUMMARY));
        const summary = await call(h.app, 'GET', `/api/v1/runs/${view.id}/summary`, {
          token: h.tokens.read,
        });
        assert.equal(summary.statusCode, 200);
        assert.match(String(summary.headers['content-type']), /application\/json/);
        assert.deepEqual(summarySchema.parse(summary.json()), SUMMARY);
        const withSummary = runViewSchema.parse(
          (await call(h.app, 'GET', `/api/v1/runs/${view.id}`, { token: h.tokens.read })).json(),
        );
        assert.deepEqual(withSummary.summary, SUMMARY);
        h.runs.liveViews.clear();
        const ended = runLiveSchema.parse(
          (
            await call(h.app, 'GET', `/api/v1/runs/${view.id}/live`, { token: h.tokens.read })
          ).json(),
        );
        assert.equal(ended.totalRequests, 12);
        assert.equal(ended.iterations, 7);
        assert.equal(ended.failingThresholds, 1);
      }),
    );

    test(
      'abort calls the scheduler, is audited, and a second abort is a 409',
      api(async (h) => {
        const view = runViewSchema.parse((await startRun(h)).json());
        const res = await call(h.app, 'POST', `/api/v1/runs/${view.id}/abort`, {
          token: h.tokens.run,
          json: { reason: 'wrong target' },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(runViewSchema.parse(res.json()).status, 'aborted');
        assert.equal(h.runs.aborts.length, 1);
        assert.equal(h.runs.aborts[0]?.reason, 'wrong target');
        assert.match(h.runs.aborts[0]?.actor ?? '', /^runner \(/);
        const audit = await h.store.listAudit();
        assert.equal(audit[0]?.action, 'run.abort');
        assert.equal(audit[0]?.target, view.id);
        const again = await call(h.app, 'POST', `/api/v1/runs/${view.id}/abort`, {
          token: h.tokens.run,
        });
        assert.equal(again.statusCode, 409);
        assert.equal((again.json() as { code: string }).code, 'RUN_TERMINAL');
        assert.equal(h.runs.aborts.length, 1);
        // An empty JSON body counts as no body.
        const other = runViewSchema.parse((await startRun(h)).json());
        const empty = await call(h.app, 'POST', `/api/v1/runs/${other.id}/abort`, {
          token: h.tokens.admin,
          raw: '',
          contentType: 'application/json',
        });
        assert.equal(empty.statusCode, 200, empty.body);
        assert.match(h.runs.aborts[1]?.reason ?? '', /^aborted by admin/);
      }),
    );
  });
}
