// Whether a test runs on the fast path (request templates on raw sockets) or on the scripted path
// (one async function per iteration). Only declarative tests and quick mode can use the fast path,
// and only when nothing they ask for needs the scripted HTTP client: see docs/declarative.md.
import type { DeclarativeTest } from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import type { Plan } from '../options/plan.ts';
import { compileTemplates } from './template.ts';
import type { FastRequestTemplate } from './types.ts';

/** Which path runs a test: the fast path with its templates, or the scripted path and why. */
export type ExecutionPath =
  | { kind: 'fast'; templates: FastRequestTemplate[]; pipelining: number }
  | { kind: 'scripted'; reason: string };

/** What decides the path besides the plan. */
export interface PathInput {
  /** The declarative test (also quick mode), or undefined for a script. */
  declarative: DeclarativeTest | undefined;
  /** Its templates (declarativeToTemplates). */
  templates: FastRequestTemplate[];
  plan: Plan;
  /** --pipelining, over the test's own `pipelining`. */
  pipelining?: number | undefined;
  /** false (--no-fast-path) forces the scripted path. */
  fastPath?: boolean | undefined;
  /** Refuses targets outside an allow-list; returns an error message or null. */
  checkTarget?: ((url: URL) => string | null) | undefined;
}

/**
 * Chooses the path; throws EngineError INVALID_INPUT naming `pipelining` when pipelining above 1
 * is asked for but cannot be honoured.
 */
export function chooseExecutionPath(input: PathInput): ExecutionPath {
  const pipelining = input.pipelining ?? input.declarative?.pipelining ?? 1;
  const path = decide(input, pipelining);
  if (pipelining > 1) {
    if (path.kind === 'scripted') {
      throw new EngineError(
        'INVALID_INPUT',
        `pipelining: needs the fast path, which this test cannot use (${path.reason})`,
        { field: 'pipelining' },
      );
    }
    if (input.plan.options.noConnectionReuse) {
      throw new EngineError(
        'INVALID_INPUT',
        'pipelining: cannot be combined with options.noConnectionReuse (one request per connection)',
        { field: 'pipelining' },
      );
    }
  }
  return path;
}

function decide(input: PathInput, pipelining: number): ExecutionPath {
  const test = input.declarative;
  if (test === undefined) return scripted('a script runs its own code');
  if (input.fastPath === false || !test.fastPath) return scripted('the fast path is turned off');
  const options = input.plan.options;
  // Options the scripted client applies and the fast path does not; only when a test sets them,
  // so that the defaults (maxRedirects 10) do not rule the fast path out.
  const raw = test.options;
  if (options.noCookiesReset) {
    return scripted('options.noCookiesReset keeps cookies, which the fast path does not send');
  }
  if (typeof raw['maxRedirects'] === 'number' && raw['maxRedirects'] > 0) {
    return scripted('options.maxRedirects asks to follow redirects, which the fast path does not');
  }
  if (raw['maxResponseBodyBytes'] !== undefined) {
    return scripted('options.maxResponseBodyBytes limits bodies, which the fast path never keeps');
  }
  try {
    compileTemplates(input.templates, options.userAgent);
  } catch (error) {
    return scripted((error as Error).message);
  }
  for (const t of input.templates) {
    const refused = input.checkTarget?.(new URL(t.url)) ?? null;
    if (refused !== null) return scripted(refused);
  }
  return { kind: 'fast', templates: input.templates, pipelining };
}

function scripted(reason: string): ExecutionPath {
  return { kind: 'scripted', reason };
}

/** One line for people: which path runs the test and why. */
export function describeExecutionPath(path: ExecutionPath): string {
  return path.kind === 'fast'
    ? `fast path (raw sockets, pipelining ${path.pipelining})`
    : `scripted path (${path.reason})`;
}
