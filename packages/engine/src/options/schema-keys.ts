import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/** Strips optional/default/pipe wrappers down to the schema that holds the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let def = defOf(s); ; def = defOf(s)) {
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return s;
    s = inner;
  }
}

/**
 * The keys an object schema accepts at `path` of `input` (for "did you mean" on an unknown key),
 * or [] when the path leads to no object schema. A discriminated union (scenario executors)
 * offers the keys of the member the input's discriminator picks, else of every member.
 */
export function knownKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  input: unknown,
): string[] {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'union' && def.options) {
    const disc = def.discriminator;
    const value = disc && isRecord(input) ? input[disc] : undefined;
    const picked = def.options.filter((o) => {
      const d = disc ? defOf(unwrap(o)).shape?.[disc] : undefined;
      return d === undefined || value === undefined || d.safeParse(value).success;
    });
    return [...new Set(picked.flatMap((o) => knownKeysAt(o, path, input)))];
  }
  const [key, ...rest] = path;
  if (key === undefined) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
  const child = isRecord(input) ? input[key as string] : undefined;
  if (def.type === 'object' && def.shape) {
    const next = def.shape[key as string];
    return next ? knownKeysAt(next, rest, child) : [];
  }
  if (def.type === 'record' && def.valueType) return knownKeysAt(def.valueType, rest, child);
  if (def.type === 'array' && def.element) return knownKeysAt(def.element, rest, child);
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
