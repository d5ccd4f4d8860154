// Finding a project by id or name, and the effective policy its runs are checked against.
import { isStoreError, type Project, type ProjectPolicy } from '@stampede/store';
import type { ControllerServices } from '../services.ts';
import { ApiError } from './errors.ts';
import { effectivePolicy, type EffectivePolicy } from './project-policy.ts';

/** The project with this id or, failing that, this name; NOT_FOUND otherwise. */
export async function findProject(
  services: Pick<ControllerServices, 'store'>,
  ref: string,
): Promise<Project> {
  try {
    return await services.store.getProject(ref);
  } catch (err) {
    if (!isStoreError(err, 'NOT_FOUND')) throw err;
  }
  const byName = await services.store.findProjectByName(ref);
  if (byName === null) {
    throw new ApiError('NOT_FOUND', `no project ${ref} (by id or name)`, { project: ref });
  }
  return byName;
}

/** The project, its own stored policy (or null) and the effective policy of its runs. */
export async function loadPolicy(
  services: Pick<ControllerServices, 'store' | 'config'>,
  project: Project,
): Promise<{ own: ProjectPolicy | null; effective: EffectivePolicy }> {
  const own = await services.store.getProjectPolicy(project.id);
  return { own, effective: effectivePolicy(project, own, services.config) };
}
