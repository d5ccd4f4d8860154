// Projects and their policies (issue 13 item 8): reading and replacing a project's allow-list
// and caps, refusals naming the field, the audit entry, and runs checked at queue time against
// the project's effective policy (the intersection with the installation's, the lower caps).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { projectPolicyViewSchema, projectViewSchema, runPlanSchema } from '@stampede/protocol';
import {
  archiveBytes,
  call,
  storeSnapshot,
  upload,
  withApi,
  type ApiHarness,
  type MakeStore,
} from './harness.ts';
import { startRun } from './suite-runs.ts';

async function createProject(h: ApiHarness, name: string): Promise<string> {
  const res = await call(h.app, 'POST', '/api/v1/projects', {
    token: h.tokens.admin,
    json: { name },
  });
  assert.equal(res.statusCode, 201, res.body);
  return projectViewSchema.parse(res.json()).id;
}

async function putPolicy(h: ApiHarness, project: string, json: unknown, token = h.tokens.admin) {
  return call(h.app, 'PUT', `/api/v1/projects/${encodeURIComponent(project)}/policy`, {
    token,
    json,
  });
}

async function runOn(h: ApiHarness, projectId: string, targets: string[], body = {}) {
  const archiveSha256 = await upload(h, archiveBytes(undefined, targets));
  return startRun(h, { archiveSha256, projectId, ...body });
}

/** Registers the project and policy tests on stores made by `makeStore`. */
export function projectsSuite(makeStore: MakeStore): void {
  const api = (fn: (h: ApiHarness) => Promise<void>) => () => withApi(makeStore, fn);

  describe('projects and their policies', () => {
    test(
      'a project without a policy inherits the installation; PUT replaces it (admin), GET shows it (read), audited',
      api(async (h) => {
        const id = await createProject(h, 'shop');
        const first = await call(h.app, 'GET', '/api/v1/projects/shop/policy', {
          token: h.tokens.read,
        });
        assert.equal(first.statusCode, 200, first.body);
        const inherited = projectPolicyViewSchema.parse(first.json());
        assert.equal(inherited.projectId, id);
        assert.deepEqual(inherited.project.allowTargets, []);
        assert.deepEqual(inherited.effective.allowTargets, [
          'api.example.com',
          'shop.example.com:8443',
          'loopback',
        ]);
        assert.deepEqual(inherited.effective.maxGenerators, { limit: 4, source: 'installation' });

        const refused = await putPolicy(h, 'shop', { maxGenerators: 1 }, h.tokens.readRun);
        assert.equal(refused.statusCode, 403, refused.body);

        const res = await putPolicy(h, id, {
          allowTargets: ['shop.example.com', '127.0.0.1:8080', 'other.example.com'],
          maxGenerators: 2,
          maxDurationMs: 60_000,
        });
        assert.equal(res.statusCode, 200, res.body);
        const view = projectPolicyViewSchema.parse(res.json());
        // other.example.com is not allowed by the installation: the intersection drops it;
        // 127.0.0.1:8080 passes the installation's loopback rule.
        assert.deepEqual(view.effective.allowTargets, ['shop.example.com:8443', '127.0.0.1:8080']);
        assert.deepEqual(view.effective.maxGenerators, { limit: 2, source: 'project' });
        assert.deepEqual(view.effective.maxDurationMs, { limit: 60_000, source: 'project' });
        assert.deepEqual(view.effective.maxRatePerSec, { limit: 10_000, source: 'installation' });
        assert.match(view.project.updatedBy ?? '', /^admin \(/);
        const again = await call(h.app, 'GET', `/api/v1/projects/${id}/policy`, {
          token: h.tokens.read,
        });
        assert.deepEqual(again.json(), res.json());

        const audit = await h.store.listAudit();
        assert.equal(audit[0]?.action, 'project.policy.set');
        assert.equal(audit[0]?.target, id);
        const details = JSON.parse(audit[0]?.detailsJson ?? '{}') as {
          before: unknown;
          after: { maxGenerators: number };
        };
        assert.equal(details.before, null);
        assert.equal(details.after.maxGenerators, 2);

        const missing = await call(h.app, 'GET', '/api/v1/projects/nope/policy', {
          token: h.tokens.read,
        });
        assert.equal(missing.statusCode, 404, missing.body);
      }),
    );

    test(
      'bad policies → 400 naming the field; nothing stored',
      api(async (h) => {
        await createProject(h, 'shop');
        const before = await storeSnapshot(h.store);
        const cases: [unknown, RegExp][] = [
          [{ allowTargets: ['http://shop.example.com/'] }, /body\.allowTargets\[0\]/],
          [{ allowTargets: ['ok.example.com', '*.example.com'] }, /body\.allowTargets\[1\]/],
          [{ allowTargets: ['h:70000'] }, /body\.allowTargets\[0\].*port/],
          [{ allowTargets: ['999.1.1.1'] }, /body\.allowTargets\[0\]/],
          [{ maxGenerators: -1 }, /body\.maxGenerators/],
          [{ maxDurationMs: 1.5 }, /body\.maxDurationMs/],
          [{ maxRatePerSec: 0 }, /body\.maxRatePerSec/],
          [{ maxVus: 3 }, /maxVus/],
        ];
        for (const [json, field] of cases) {
          const res = await putPolicy(h, 'shop', json);
          assert.equal(res.statusCode, 400, `${JSON.stringify(json)}: ${res.body}`);
          assert.match((res.json() as { message: string }).message, field);
        }
        assert.equal(await storeSnapshot(h.store), before);
        assert.equal(
          await h.store.getProjectPolicy((await h.store.findProjectByName('shop'))!.id),
          null,
        );
      }),
    );

    test(
      'runs are checked against their project: its list and the installation both, naming whose list refused',
      api(async (h) => {
        const a = await createProject(h, 'narrow');
        const b = await createProject(h, 'wide');
        const set = await putPolicy(h, a, { allowTargets: ['127.0.0.1:8080', 'evil.example.com'] });
        assert.equal(set.statusCode, 200, set.body);

        const off = await runOn(h, a, ['127.0.0.1:9090']);
        assert.equal(off.statusCode, 422, off.body);
        const body = off.json() as { code: string; message: string; details: { policy: string } };
        assert.equal(body.code, 'TARGET_NOT_ALLOWED');
        assert.match(
          body.message,
          /127\.0\.0\.1:9090 not on project narrow's allow-list \(127\.0\.0\.1:8080/,
        );
        assert.equal(body.details.policy, 'project');

        // The project cannot widen the installation's list.
        const evil = await runOn(h, a, ['evil.example.com']);
        assert.equal(evil.statusCode, 422, evil.body);
        assert.match(evil.body, /not on the installation's allow-list/);

        const ok = await runOn(h, a, ['127.0.0.1:8080']);
        assert.equal(ok.statusCode, 201, ok.body);
        const run = await h.store.getRun((ok.json() as { id: string }).id);
        assert.equal(run.projectId, a);
        assert.deepEqual(runPlanSchema.parse(JSON.parse(run.planJson)).allowTargets, [
          '127.0.0.1:8080',
        ]);

        const other = await runOn(h, b, ['127.0.0.1:9090']);
        assert.equal(other.statusCode, 201, other.body);
        const otherRun = await h.store.getRun((other.json() as { id: string }).id);
        assert.deepEqual(runPlanSchema.parse(JSON.parse(otherRun.planJson)).allowTargets, [
          'api.example.com',
          'shop.example.com:8443',
          'loopback',
        ]);
        assert.equal((await h.store.listRuns()).items.length, 2);
      }),
    );

    test(
      'caps are the lower of the project and the installation, and the answer says whose',
      api(async (h) => {
        const id = await createProject(h, 'small');
        await putPolicy(h, id, { maxGenerators: 2, maxRatePerSec: 50, maxDurationMs: 10_000 });
        const over = await runOn(h, id, [], { generators: 3 });
        assert.equal(over.statusCode, 422, over.body);
        assert.match(
          over.body,
          /body\.generators: 3 exceeds the cap of 2 \(project small's policy\)/,
        );
        const rate = await runOn(h, id, [], {
          overrides: { ratePerSec: 60, durationMs: 5_000 },
        });
        assert.equal(rate.statusCode, 422, rate.body);
        assert.match(rate.body, /body\.overrides\.ratePerSec: 60 exceeds the cap of 50/);
        // A project's cap above the installation's does not raise it.
        const big = await createProject(h, 'big');
        await putPolicy(h, big, { maxGenerators: 10 });
        const installation = await runOn(h, big, [], { generators: 5 });
        assert.equal(installation.statusCode, 422, installation.body);
        assert.match(
          installation.body,
          /body\.generators: 5 exceeds the cap of 4 \(installation\)/,
        );
        const ok = await runOn(h, id, [], { generators: 2 });
        assert.equal(ok.statusCode, 201, ok.body);
        const run = await h.store.getRun((ok.json() as { id: string }).id);
        assert.equal(runPlanSchema.parse(JSON.parse(run.planJson)).maxDurationMs, 10_000);
        // Another project keeps the installation's caps.
        const dflt = await startRun(h, { generators: 3 });
        assert.equal(dflt.statusCode, 201, dflt.body);
      }),
    );

    test(
      'a project whose list does not overlap the installation allows nothing, also at run time',
      api(async (h) => {
        const id = await createProject(h, 'island');
        const res = await putPolicy(h, id, { allowTargets: ['elsewhere.example.org'] });
        const view = projectPolicyViewSchema.parse(res.json());
        assert.equal(view.effective.allowTargets.length, 1);
        assert.match(view.effective.allowTargets[0] ?? '', / /, 'an entry no host can match');
        const loop = await runOn(h, id, ['127.0.0.1:1']);
        assert.equal(loop.statusCode, 422, loop.body);
      }),
    );
  });
}
