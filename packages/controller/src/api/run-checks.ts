// The safety checks a run must pass before it is queued: the installation's caps on generators,
// duration and rate, and the target allow-list.
import type { PolicySource, RunCreate, TestArchive } from '@stampede/protocol';
import type { ControllerConfig } from '../services.ts';
import { ApiError } from './errors.ts';
import {
  projectTargets,
  type EffectiveCap,
  type EffectiveCaps,
  type EffectivePolicy,
} from './project-policy.ts';
import {
  disallowedTargets,
  envTargets,
  isTargetAllowed,
  scanScriptTargets,
  type TargetPolicy,
} from './targets.ts';

/** One value above a cap: the field (as in the request body), its value, the cap and whose cap it is. */
export interface CapViolation {
  field: string;
  value: number;
  limit: number;
  source: PolicySource;
}

/** Caps as plain numbers (the installation's) or with the policy that set each (a project's effective caps). */
export type RunCaps =
  Pick<ControllerConfig, 'maxGenerators' | 'maxDurationMs' | 'maxRatePerSec'> | EffectiveCaps;

function capOf(cap: number | EffectiveCap): EffectiveCap {
  return typeof cap === 'number' ? { limit: cap, source: 'installation' } : cap;
}

/** Every cap a run request exceeds. The script's own options are not seen here (the controller never runs user code). */
export function capViolations(
  run: Pick<RunCreate, 'generators' | 'overrides'>,
  caps: RunCaps,
): CapViolation[] {
  const out: CapViolation[] = [];
  const check = (field: string, value: number | undefined, cap: number | EffectiveCap): void => {
    const { limit, source } = capOf(cap);
    if (value !== undefined && value > limit) out.push({ field, value, limit, source });
  };
  check('body.generators', run.generators, caps.maxGenerators);
  const o = run.overrides;
  check('body.overrides.durationMs', o.durationMs, caps.maxDurationMs);
  if (o.stages !== undefined) {
    const totalMs = o.stages.reduce((sum, s) => sum + s.duration, 0);
    check('body.overrides.stages (total duration)', totalMs, caps.maxDurationMs);
  }
  check('body.overrides.ratePerSec', o.ratePerSec, caps.maxRatePerSec);
  return out;
}

/** Throws CAP_EXCEEDED naming every field above its cap and, for a project's cap, the project. */
export function assertWithinCaps(
  run: Pick<RunCreate, 'generators' | 'overrides'>,
  caps: RunCaps,
  projectName?: string,
): void {
  const violations = capViolations(run, caps);
  if (violations.length === 0) return;
  const whose = (v: CapViolation): string =>
    projectName === undefined
      ? ''
      : v.source === 'project'
        ? ` (project ${projectName}'s policy)`
        : ' (installation)';
  const message = violations
    .map((v) => `${v.field}: ${v.value} exceeds the cap of ${v.limit}${whose(v)}`)
    .join('; ');
  throw new ApiError('CAP_EXCEEDED', message, {
    violations,
    ...(projectName === undefined ? {} : { project: projectName }),
  });
}

/** Every target of a run: the archive's list, URL literals of the script's own code, URL-valued environment variables. */
export function runTargets(archive: TestArchive, env: Readonly<Record<string, string>>): string[] {
  const all = new Set([
    ...archive.targets,
    ...scanScriptTargets(archive.script),
    ...envTargets(env),
  ]);
  return [...all];
}

/** Most refused targets (and allow-list entries) a TARGET_NOT_ALLOWED answer lists; `details.refusedCount` counts them all. */
export const MAX_LISTED_TARGETS = 20;

/** Throws TARGET_NOT_ALLOWED naming the first hosts outside the allow-list and counting the rest. */
export function assertTargetsAllowed(
  archive: TestArchive,
  env: Readonly<Record<string, string>>,
  config: Pick<ControllerConfig, 'allowTargets' | 'allowLoopback'>,
): void {
  assertNoneRefused(disallowedTargets(runTargets(archive, env), config), config);
}

/** Throws TARGET_NOT_ALLOWED for targets already found refused (by the archive worker). */
export function assertNoneRefused(
  refused: readonly string[],
  config: TargetPolicy,
  owner = 'the',
  extra: Record<string, unknown> = {},
): void {
  if (refused.length === 0) return;
  const allowed = [...config.allowTargets, ...(config.allowLoopback ? ['loopback'] : [])];
  // A script may name thousands of hosts: the answer lists the first few and counts the rest.
  const shown = refused.slice(0, MAX_LISTED_TARGETS);
  const more = refused.length - shown.length;
  const allowList = allowed.slice(0, MAX_LISTED_TARGETS).join(', ') || 'empty';
  throw new ApiError(
    'TARGET_NOT_ALLOWED',
    `target${refused.length > 1 ? 's' : ''} ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''} not on ${owner} allow-list (${allowList}${allowed.length > MAX_LISTED_TARGETS ? ', …' : ''})`,
    {
      targets: shown,
      refusedCount: refused.length,
      allowTargets: config.allowTargets.slice(0, MAX_LISTED_TARGETS),
      allowLoopback: config.allowLoopback,
      ...extra,
    },
  );
}

/**
 * Throws TARGET_NOT_ALLOWED for targets the effective policy refused, saying whose list refused
 * them: the installation's first (the project cannot widen it), else the project's own.
 */
export function assertNoneRefusedBy(refused: readonly string[], policy: EffectivePolicy): void {
  if (refused.length === 0) return;
  const name = policy.project.name;
  const byInstallation = refused.filter((t) => !isTargetAllowed(t, policy.installation));
  if (byInstallation.length > 0 || !policy.restricted) {
    const list = byInstallation.length > 0 ? byInstallation : refused;
    assertNoneRefused(list, policy.installation, "the installation's", {
      policy: 'installation',
      project: name,
    });
  }
  assertNoneRefused(refused, projectTargets(policy.projectAllowTargets), `project ${name}'s`, {
    policy: 'project',
    project: name,
  });
}
