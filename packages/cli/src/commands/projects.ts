import { readFileSync } from 'node:fs';
import {
  allowTargetProblem,
  projectPageSchema,
  projectPolicyUpdateSchema,
  projectPolicyViewSchema,
  projectViewSchema,
  type ProjectPolicyUpdateInput,
  type ProjectPolicyView,
} from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import { durationFlag, intFlag, positiveFlag } from '../flags.ts';
import {
  clientFromFlags,
  CONTROLLER_FLAG_OPTIONS,
  CONTROLLER_FLAGS_USAGE,
  formatTable,
  formatTime,
} from '../remote/common-flags.ts';

/** Help text of `stampede projects`. */
export const PROJECTS_USAGE = `Usage: stampede projects list
       stampede projects create <name>
       stampede projects policy show <project>
       stampede projects policy set <project> [--allow H[:P]]... [--max-generators N]
                                    [--max-duration D] [--max-rate R]
       stampede projects policy set <project> --file policy.json
       stampede projects policy set <project> --inherit     clear: the installation's policy alone

A project's policy narrows the installation's (admin scope to set): a run under the project may
target only what both allow-lists allow (an empty project list inherits the installation's;
"loopback" admits loopback hosts), and each cap is the lower of the two. <project> is an id or
a name. "set" replaces the whole policy: what is not given is inherited.

Policy:
  --allow H[:P]           host (any port) or host:port the project's runs may target (repeatable)
  --max-generators N      most generators per run
  --max-duration D        longest run (e.g. 10m)
  --max-rate R            highest --rate (iterations per second)
  --file FILE             the policy as JSON: {"allowTargets": [...], "maxGenerators": N, ...}

${CONTROLLER_FLAGS_USAGE}`;

function capText(cap: { limit: number; source: string }, unit = ''): string {
  return `${cap.limit}${unit} (${cap.source})`;
}

function printPolicy(view: ProjectPolicyView): void {
  const own = view.project;
  const lines = [
    `project ${view.projectName} (${view.projectId})`,
    `  own allow-list:        ${own.allowTargets.join(', ') || '(none: inherits the installation)'}`,
    `  own caps:              generators ${own.maxGenerators ?? '-'}, duration ${own.maxDurationMs === null ? '-' : `${own.maxDurationMs} ms`}, rate ${own.maxRatePerSec ?? '-'}/s`,
    `  installation:          ${[...view.installation.allowTargets, ...(view.installation.allowLoopback ? ['loopback'] : [])].join(', ') || '(nothing)'}`,
    `  effective allow-list:  ${view.effective.allowTargets.join(', ')}`,
    `  effective caps:        generators ${capText(view.effective.maxGenerators)}, duration ${capText(view.effective.maxDurationMs, ' ms')}, rate ${capText(view.effective.maxRatePerSec, '/s')}`,
    `  updated:               ${own.updatedBy === null ? '-' : `${formatTime(own.updatedAtMs)} by ${own.updatedBy}`}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function readPolicyFile(file: string): ProjectPolicyUpdateInput {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--file: cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const parsed = projectPolicyUpdateSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues
      .map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new UsageError(`--file ${file}: ${why}`);
  }
  return parsed.data;
}

function policyFromFlags(values: {
  allow?: string[] | undefined;
  'max-generators'?: string | undefined;
  'max-duration'?: string | undefined;
  'max-rate'?: string | undefined;
}): ProjectPolicyUpdateInput {
  const allowTargets = (values.allow ?? []).map((a) => a.trim());
  for (const entry of allowTargets) {
    const problem = allowTargetProblem(entry);
    if (problem !== null) throw new UsageError(`--allow: ${problem}`, PROJECTS_USAGE);
  }
  return {
    allowTargets,
    maxGenerators: intFlag('max-generators', values['max-generators'], 1) ?? null,
    maxDurationMs: durationFlag('max-duration', values['max-duration']) ?? null,
    maxRatePerSec: positiveFlag('max-rate', values['max-rate']) ?? null,
  };
}

/** `stampede projects list|create|policy show|policy set`: projects and their policies; returns the exit code. */
export async function projectsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...CONTROLLER_FLAG_OPTIONS,
      allow: { type: 'string', multiple: true },
      'max-generators': { type: 'string' },
      'max-duration': { type: 'string' },
      'max-rate': { type: 'string' },
      file: { type: 'string' },
      inherit: { type: 'boolean' },
    },
    PROJECTS_USAGE,
    3,
  );
  const [sub, a, b] = positionals;
  if (values.help || sub === undefined) {
    process.stdout.write(`${PROJECTS_USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.badInput;
  }
  const action = sub === 'policy' ? `policy ${a ?? ''}`.trim() : sub;
  const project = sub === 'policy' ? b : a;
  // Bad input is refused before any connection is made.
  let update: ProjectPolicyUpdateInput | undefined;
  if (action === 'policy set') {
    const given = [
      values.allow,
      values['max-generators'],
      values['max-duration'],
      values['max-rate'],
    ].some((v) => v !== undefined);
    if (values.file !== undefined && (given || values.inherit)) {
      throw new UsageError('--file replaces the other policy flags: give one or the other');
    }
    if (values.inherit && given)
      throw new UsageError('--inherit clears the policy: give no --allow/--max-*');
    if (values.file === undefined && !given && !values.inherit) {
      throw new UsageError(
        'policy set needs --allow, a --max-* cap or --file (or --inherit to clear the policy)',
        PROJECTS_USAGE,
      );
    }
    update = values.file === undefined ? policyFromFlags(values) : readPolicyFile(values.file);
  }
  if (!['list', 'create', 'policy show', 'policy set'].includes(action)) {
    throw new UsageError(`unknown subcommand "projects ${action}"`, PROJECTS_USAGE);
  }
  if (action !== 'list' && project === undefined) {
    throw new UsageError(`projects ${action} needs a project name`, PROJECTS_USAGE);
  }
  const client = clientFromFlags(values);
  try {
    if (action === 'list') {
      const page = await client.call('/projects', projectPageSchema);
      if (values.json) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      else {
        process.stdout.write(
          formatTable(
            ['ID', 'NAME', 'CREATED'],
            page.items.map((p) => [p.id, p.name, formatTime(p.createdAtMs)]),
          ),
        );
      }
      return EXIT.ok;
    }
    if (action === 'create') {
      const created = await client.call('/projects', projectViewSchema, {
        json: { name: project },
      });
      if (values.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else process.stdout.write(`project ${created.name}: ${created.id}\n`);
      return EXIT.ok;
    }
    const path = `/projects/${encodeURIComponent(project ?? '')}/policy`;
    const view =
      action === 'policy show'
        ? await client.call(path, projectPolicyViewSchema)
        : await client.call(path, projectPolicyViewSchema, { method: 'PUT', json: update });
    if (values.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    else printPolicy(view);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
