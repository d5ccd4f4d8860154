// A project's effective policy: the targets both the installation and the project allow, and the
// lower of each cap. Pure: the caller reads the project's stored policy and the installation's
// configuration. The intersection is written as one allow-list so the load workers, which know
// nothing of projects, enforce it with their usual check.
import { LOOPBACK_TARGET, type PolicySource, type ProjectPolicyView } from '@stampede/protocol';
import type { Project, ProjectPolicy } from '@stampede/store';
import { isIPv6 } from 'node:net';
import type { ControllerConfig } from '../services.ts';
import { isLoopbackHost, splitTarget, type TargetPolicy } from './targets.ts';

/** The installation's fields a policy is built from. */
export type InstallationPolicy = Pick<
  ControllerConfig,
  'allowTargets' | 'allowLoopback' | 'maxGenerators' | 'maxDurationMs' | 'maxRatePerSec'
>;

/** One cap that applies to a run: its value and which policy set it. */
export interface EffectiveCap {
  limit: number;
  source: PolicySource;
}

/** The caps that apply to a project's runs. */
export interface EffectiveCaps {
  maxGenerators: EffectiveCap;
  maxDurationMs: EffectiveCap;
  maxRatePerSec: EffectiveCap;
}

/** What a project's runs are checked against. */
export interface EffectivePolicy {
  project: Project;
  /** The project's own list narrows the installation's (false: the installation's list alone). */
  restricted: boolean;
  /** The project's own list (as stored), for messages. */
  projectAllowTargets: readonly string[];
  /** The installation's list and loopback rule, for messages and to tell who refused a target. */
  installation: TargetPolicy;
  /** Targets both allow. */
  targets: TargetPolicy;
  caps: EffectiveCaps;
}

/**
 * Entry sent to the load workers when no target is allowed at all: an empty list means "no
 * check" to them, and no host name can contain a space, so this entry matches nothing.
 */
export const NOTHING_ALLOWED = '(no target: the allow-lists do not overlap)';

type Matcher = { loopback: true } | { loopback: false; host: string; port: string | undefined };

function matchersOf(policy: TargetPolicy): Matcher[] {
  const out: Matcher[] = policy.allowLoopback ? [{ loopback: true }] : [];
  for (const entry of policy.allowTargets) {
    const t = splitTarget(entry);
    if (t !== null) out.push({ loopback: false, host: t.host, port: t.port });
  }
  return out;
}

function meet(a: Matcher, b: Matcher): Matcher | null {
  if (a.loopback && b.loopback) return a;
  if (a.loopback) return b.loopback === false && isLoopbackHost(b.host) ? b : null;
  if (b.loopback) return isLoopbackHost(a.host) ? a : null;
  if (a.host !== b.host) return null;
  if (a.port === undefined) return b;
  if (b.port === undefined || b.port === a.port) return a;
  return null;
}

function entryOf(m: Matcher & { loopback: false }): string {
  if (m.port === undefined) return m.host;
  return isIPv6(m.host) ? `[${m.host}]:${m.port}` : `${m.host}:${m.port}`;
}

/** The targets both policies allow, as one policy ("loopback" entries of `b` count as its loopback rule). */
export function intersectTargets(a: TargetPolicy, b: TargetPolicy): TargetPolicy {
  const entries = new Set<string>();
  let loopback = false;
  const ma = matchersOf(a);
  for (const mb of matchersOf(b)) {
    for (const x of ma) {
      const m = meet(x, mb);
      if (m === null) continue;
      if (m.loopback) loopback = true;
      else entries.add(entryOf(m));
    }
  }
  return { allowTargets: [...entries], allowLoopback: loopback };
}

/** A project's own list as a TargetPolicy: the "loopback" entry is its loopback rule. */
export function projectTargets(allowTargets: readonly string[]): TargetPolicy {
  return {
    allowTargets: allowTargets.filter((e) => e !== LOOPBACK_TARGET),
    allowLoopback: allowTargets.includes(LOOPBACK_TARGET),
  };
}

function lower(installation: number, own: number | null): EffectiveCap {
  return own !== null && own < installation
    ? { limit: own, source: 'project' }
    : { limit: installation, source: 'installation' };
}

/** The policy a project's runs are checked against; `own` null when the project has none. */
export function effectivePolicy(
  project: Project,
  own: ProjectPolicy | null,
  config: InstallationPolicy,
): EffectivePolicy {
  const installation: TargetPolicy = {
    allowTargets: config.allowTargets,
    allowLoopback: config.allowLoopback,
  };
  const list = own?.allowTargets ?? [];
  const restricted = list.length > 0;
  return {
    project,
    restricted,
    projectAllowTargets: list,
    installation,
    targets: restricted ? intersectTargets(installation, projectTargets(list)) : installation,
    caps: {
      maxGenerators: lower(config.maxGenerators, own?.maxGenerators ?? null),
      maxDurationMs: lower(config.maxDurationMs, own?.maxDurationMs ?? null),
      maxRatePerSec: lower(config.maxRatePerSec, own?.maxRatePerSec ?? null),
    },
  };
}

/** The list the load workers enforce for a policy ("loopback" for the loopback rule; never empty). */
export function runtimeAllowList(policy: TargetPolicy): string[] {
  const list = [...policy.allowTargets, ...(policy.allowLoopback ? [LOOPBACK_TARGET] : [])];
  return list.length > 0 ? list : [NOTHING_ALLOWED];
}

/** The policy view of the API. */
export function toPolicyView(
  effective: EffectivePolicy,
  own: ProjectPolicy | null,
  config: InstallationPolicy,
): ProjectPolicyView {
  return {
    projectId: effective.project.id,
    projectName: effective.project.name,
    project: {
      allowTargets: own?.allowTargets ?? [],
      maxGenerators: own?.maxGenerators ?? null,
      maxDurationMs: own?.maxDurationMs ?? null,
      maxRatePerSec: own?.maxRatePerSec ?? null,
      updatedBy: own?.updatedBy ?? null,
      updatedAtMs: own?.updatedAtMs ?? null,
    },
    installation: {
      allowTargets: [...config.allowTargets],
      allowLoopback: config.allowLoopback,
      maxGenerators: config.maxGenerators,
      maxDurationMs: config.maxDurationMs,
      maxRatePerSec: config.maxRatePerSec,
    },
    effective: { allowTargets: runtimeAllowList(effective.targets), ...effective.caps },
  };
}
