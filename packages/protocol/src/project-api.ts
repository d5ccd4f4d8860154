// REST bodies of projects and their policies (issue 13 item 8): a project's own target
// allow-list and caps, which narrow the installation's.
import { z } from 'zod';
import { pageSchema } from './api.ts';

/** Allow-list entry that admits every loopback host (the agents' vocabulary). */
export const LOOPBACK_TARGET = 'loopback';

const HOST_PORT =
  /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})))(?::(\d{1,5}))?$/;
const BARE_IPV6 = /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** Why `text` is not an allow-list entry ("host", "host:port", "[v6]:port", "loopback"), or null when it is one. */
export function allowTargetProblem(text: string): string | null {
  if (text === LOOPBACK_TARGET || BARE_IPV6.test(text)) return null;
  const m = HOST_PORT.exec(text);
  if (m === null) {
    return `"${text}" must be host, host:port, [IPv6]:port or ${LOOPBACK_TARGET} (no scheme, path or wildcard)`;
  }
  const port = m[3];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) {
    return `"${text}": port must be 1-65535`;
  }
  return null;
}

const allowTarget = z
  .string()
  .max(300)
  .transform((s) => s.trim())
  .superRefine((s, ctx) => {
    const problem = allowTargetProblem(s);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Path parameter naming a project by id or by name. */
export const projectParamsSchema = z.strictObject({
  project: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters'),
});

/** Body of `PUT /api/v1/projects/:project/policy`: the whole policy (absent caps are none of the project's own). */
export const projectPolicyUpdateSchema = z.strictObject({
  /** Entries "host", "host:port" or "loopback"; empty: the installation's list alone applies. */
  allowTargets: z.array(allowTarget).max(1000).default([]),
  maxGenerators: z.number().int().min(1).max(100_000).nullable().default(null),
  maxDurationMs: z.number().int().min(1).nullable().default(null),
  maxRatePerSec: z.number().positive().max(1e9).nullable().default(null),
});
/** A policy update as sent. */
export type ProjectPolicyUpdateInput = z.input<typeof projectPolicyUpdateSchema>;
/** A policy update, validated with defaults. */
export type ProjectPolicyUpdate = z.output<typeof projectPolicyUpdateSchema>;

const caps = {
  maxGenerators: z.number().int().positive(),
  maxDurationMs: z.number().int().positive(),
  maxRatePerSec: z.number().positive(),
};

/** Which policy sets an effective cap: the installation's or the project's (the lower one). */
export const policySourceSchema = z.enum(['installation', 'project']);
/** Which policy sets an effective cap. */
export type PolicySource = z.output<typeof policySourceSchema>;

const effectiveCap = (value: z.ZodNumber) =>
  z.strictObject({ limit: value, source: policySourceSchema });

/** A project's policy as the API shows it: its own settings, the installation's, and what applies to its runs. */
export const projectPolicyViewSchema = z.strictObject({
  projectId: z.string(),
  projectName: z.string(),
  /** The project's own settings (all empty/null when it never had a policy). */
  project: z.strictObject({
    allowTargets: z.array(z.string()),
    maxGenerators: caps.maxGenerators.nullable(),
    maxDurationMs: caps.maxDurationMs.nullable(),
    maxRatePerSec: caps.maxRatePerSec.nullable(),
    updatedBy: z.string().nullable(),
    updatedAtMs: z.number().nullable(),
  }),
  /** The installation's settings (`stampede server` flags). */
  installation: z.strictObject({
    allowTargets: z.array(z.string()),
    allowLoopback: z.boolean(),
    ...caps,
  }),
  /** What the project's runs are checked against: targets both allow, the lower of each cap. */
  effective: z.strictObject({
    /** The list the load workers enforce ("loopback" admits every loopback host). */
    allowTargets: z.array(z.string()),
    maxGenerators: effectiveCap(caps.maxGenerators),
    maxDurationMs: effectiveCap(caps.maxDurationMs),
    maxRatePerSec: effectiveCap(caps.maxRatePerSec),
  }),
});
/** A project's policy view. */
export type ProjectPolicyView = z.output<typeof projectPolicyViewSchema>;

/** Body of `POST /api/v1/projects`. */
export const projectCreateSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
      'must be letters, digits, _.- (starting with a letter or digit)',
    ),
});

/** A project as the API shows it. */
export const projectViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAtMs: z.number(),
});
/** A project as the API shows it. */
export type ProjectView = z.output<typeof projectViewSchema>;

/** Every project, by name. */
export const projectPageSchema = pageSchema(projectViewSchema);
