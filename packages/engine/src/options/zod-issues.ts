import { closestName } from '@stampede/protocol';
import type { z } from 'zod';
import { knownKeysAt } from './schema-keys.ts';

/** Renders an option path as people write it: options.scenarios.load.rate, thresholds["x{a:b}"][0]. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key))
      out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * Turns zod issues into one line each, every line starting with the path of the bad field. The
 * issues must come from a parse with `reportInput: true`, or every bad type reads "is required".
 */
export function formatZodIssues(
  issues: readonly z.core.$ZodIssue[],
  root = 'options',
  /** The schema and input parsed: with them an unknown key gets a "did you mean". */
  parsed?: { schema: z.ZodType; input: unknown },
): string {
  return issues
    .map((issue) => {
      const path = formatPath(root, issue.path);
      if (
        (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
        issue.input === undefined
      ) {
        return `${path}: is required`;
      }
      if (issue.code === 'invalid_type' && Number.isNaN(issue.input)) {
        // Number(__ENV.VUS) with VUS unset or "abc" is NaN: say so rather than "is required".
        return `${path}: got NaN, expected a ${issue.expected} (Number() of a missing or non-numeric value, such as __ENV.X?)`;
      }
      if (issue.code === 'unrecognized_keys') {
        const known = parsed ? knownKeysAt(parsed.schema, issue.path, parsed.input) : [];
        const keys = issue.keys.map((k) => {
          const near = closestName(k, known);
          return near === undefined
            ? JSON.stringify(k)
            : `${JSON.stringify(k)} (did you mean "${near}"?)`;
        });
        return `${path}: unknown option${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('\n');
}
