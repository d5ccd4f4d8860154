// The safety checks a run must pass before it is queued: the installation's caps on generators,
// duration and rate, and the target allow-list.
import type { RunCreate, TestArchive } from '@stampede/protocol';
import type { ControllerConfig } from '../services.ts';
import { ApiError } from './errors.ts';
import { disallowedTargets, envTargets, scanScriptTargets } from './targets.ts';

/** One value above a cap: the field (as in the request body), its value and the cap. */
export interface CapViolation {
  field: string;
  value: number;
  limit: number;
}

/** Every cap a run request exceeds. The script's own options are not seen here (the controller never runs user code). */
export function capViolations(
  run: Pick<RunCreate, 'generators' | 'overrides'>,
  config: Pick<ControllerConfig, 'maxGenerators' | 'maxDurationMs' | 'maxRatePerSec'>,
): CapViolation[] {
  const out: CapViolation[] = [];
  const check = (field: string, value: number | undefined, limit: number): void => {
    if (value !== undefined && value > limit) out.push({ field, value, limit });
  };
  check('body.generators', run.generators, config.maxGenerators);
  const o = run.overrides;
  check('body.overrides.durationMs', o.durationMs, config.maxDurationMs);
  if (o.stages !== undefined) {
    const totalMs = o.stages.reduce((sum, s) => sum + s.duration, 0);
    check('body.overrides.stages (total duration)', totalMs, config.maxDurationMs);
  }
  check('body.overrides.ratePerSec', o.ratePerSec, config.maxRatePerSec);
  return out;
}

/** Throws CAP_EXCEEDED naming every field above its cap. */
export function assertWithinCaps(
  run: Pick<RunCreate, 'generators' | 'overrides'>,
  config: ControllerConfig,
): void {
  const violations = capViolations(run, config);
  if (violations.length === 0) return;
  const message = violations
    .map((v) => `${v.field}: ${v.value} exceeds the cap of ${v.limit}`)
    .join('; ');
  throw new ApiError('CAP_EXCEEDED', message, { violations });
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
  config: Pick<ControllerConfig, 'allowTargets' | 'allowLoopback'>,
): void {
  if (refused.length === 0) return;
  const allowed = [...config.allowTargets, ...(config.allowLoopback ? ['loopback'] : [])];
  // A script may name thousands of hosts: the answer lists the first few and counts the rest.
  const shown = refused.slice(0, MAX_LISTED_TARGETS);
  const more = refused.length - shown.length;
  const allowList = allowed.slice(0, MAX_LISTED_TARGETS).join(', ') || 'empty';
  throw new ApiError(
    'TARGET_NOT_ALLOWED',
    `target${refused.length > 1 ? 's' : ''} ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''} not on the allow-list (${allowList}${allowed.length > MAX_LISTED_TARGETS ? ', …' : ''})`,
    {
      targets: shown,
      refusedCount: refused.length,
      allowTargets: config.allowTargets.slice(0, MAX_LISTED_TARGETS),
      allowLoopback: config.allowLoopback,
    },
  );
}
