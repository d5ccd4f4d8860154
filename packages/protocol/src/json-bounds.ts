// Bounds of free-form JSON values (the unknown keys of run overrides, audit details): a value
// nested deeper than a few dozen levels or larger than a few KiB has no use in a test's options,
// and a very deep one overflows the stack of every recursive JSON.stringify and schema walk.

/** Deepest nesting of a free-form JSON value the API accepts (an object or array is one level). */
export const MAX_FREE_JSON_DEPTH = 32;
/** Largest free-form JSON value the API accepts, bytes of its JSON text (approximately, UTF-16 units). */
export const MAX_FREE_JSON_BYTES = 64 * 1024;

/** Why a value breaks the bounds of free-form JSON, or null when it keeps them. */
export function jsonBoundsProblem(
  value: unknown,
  maxDepth: number = MAX_FREE_JSON_DEPTH,
  maxBytes: number = MAX_FREE_JSON_BYTES,
): string | null {
  // Iterative on purpose: the values checked here may be too deep for recursion.
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  let bytes = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') bytes += String(v).length;
    else if (v === null || v === undefined) bytes += 4;
    else if (typeof v === 'object') {
      if (depth + 1 > maxDepth) return `nested deeper than ${maxDepth} levels`;
      const entries = Array.isArray(v)
        ? (v as unknown[]).map((x) => ['', x] as const)
        : Object.entries(v as Record<string, unknown>);
      bytes += 2 + entries.length;
      for (const [k, x] of entries) {
        bytes += k === '' ? 0 : k.length + 3;
        stack.push({ v: x, depth: depth + 1 });
      }
    } else return `holds a ${typeof v}, not JSON`;
    if (bytes > maxBytes) return `larger than ${maxBytes} bytes of JSON`;
  }
  return null;
}
