// Projects and their policies: a project's own target allow-list and caps narrow the
// installation's for the runs queued under it (issue 13 item 8). Changes are audited.
import {
  LOOPBACK_TARGET,
  projectCreateSchema,
  projectPageSchema,
  projectParamsSchema,
  projectPolicyUpdateSchema,
  projectPolicyViewSchema,
  projectViewSchema,
  type ApiIssue,
} from '@stampede/protocol';
import { ApiError } from './errors.ts';
import { findProject, loadPolicy } from './project-lookup.ts';
import { toPolicyView } from './project-policy.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { splitTarget } from './targets.ts';

/** Throws INVALID_REQUEST naming each entry the schema's pattern let through but no URL host can be (999.1.1.1). */
function assertEntriesParse(allowTargets: readonly string[]): void {
  const issues: ApiIssue[] = [];
  allowTargets.forEach((entry, i) => {
    if (entry !== LOOPBACK_TARGET && splitTarget(entry) === null) {
      issues.push({ path: `body.allowTargets[${i}]`, message: `"${entry}" is not a valid host` });
    }
  });
  if (issues.length === 0) return;
  throw new ApiError('INVALID_REQUEST', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
  });
}

/** Routes of /api/v1/projects. */
export const projectRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/projects',
    operationId: 'listProjects',
    summary: 'Projects by name',
    tag: 'projects',
    scope: 'read',
    response: projectPageSchema,
    errors: [],
    async handler({ services }) {
      return { items: await services.store.listProjects(), nextCursor: null };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/projects',
    operationId: 'createProject',
    summary: 'Create a project (runs name it by id in projectId)',
    tag: 'projects',
    scope: 'admin',
    body: projectCreateSchema,
    status: 201,
    response: projectViewSchema,
    errors: [400, 409, 413, 415],
    async handler({ body, caller, services }) {
      const project = await services.store.createProject({ name: body.name });
      await services.store.appendAudit({
        actor: caller.actor,
        action: 'project.create',
        target: project.id,
        detailsJson: JSON.stringify({ name: project.name }),
      });
      return project;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/projects/:project/policy',
    operationId: 'getProjectPolicy',
    summary:
      "A project's own allow-list and caps, the installation's, and the effective policy its runs are checked against",
    tag: 'projects',
    scope: 'read',
    params: projectParamsSchema,
    response: projectPolicyViewSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const project = await findProject(services, params.project);
      const { own, effective } = await loadPolicy(services, project);
      return toPolicyView(effective, own, services.config);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/projects/:project/policy',
    operationId: 'setProjectPolicy',
    summary:
      "Replace a project's allow-list and caps (they narrow the installation's; empty list and null caps inherit)",
    tag: 'projects',
    scope: 'admin',
    params: projectParamsSchema,
    body: projectPolicyUpdateSchema,
    response: projectPolicyViewSchema,
    errors: [400, 404, 413, 415],
    async handler({ params, body, caller, services }) {
      assertEntriesParse(body.allowTargets);
      const project = await findProject(services, params.project);
      const before = await services.store.getProjectPolicy(project.id);
      const own = await services.store.setProjectPolicy({
        projectId: project.id,
        allowTargets: [...new Set(body.allowTargets)],
        maxGenerators: body.maxGenerators,
        maxDurationMs: body.maxDurationMs,
        maxRatePerSec: body.maxRatePerSec,
        updatedBy: caller.actor,
      });
      const { effective } = await loadPolicy(services, project);
      const settings = (p: typeof own | null) =>
        p === null
          ? null
          : {
              allowTargets: p.allowTargets,
              maxGenerators: p.maxGenerators,
              maxDurationMs: p.maxDurationMs,
              maxRatePerSec: p.maxRatePerSec,
            };
      await services.store.appendAudit({
        actor: caller.actor,
        action: 'project.policy.set',
        target: project.id,
        detailsJson: JSON.stringify({
          name: project.name,
          before: settings(before),
          after: settings(own),
        }),
      });
      return toPolicyView(effective, own, services.config);
    },
  }),
];
