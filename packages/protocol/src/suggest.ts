import { distance } from 'fastest-levenshtein';

/**
 * The known name closest to a mistyped one ("vuss" → "vus", "duraton" → "duration"), or
 * undefined when none is close: at most one edit per three characters, and at least one.
 */
export function closestName(input: string, known: readonly string[]): string | undefined {
  const maxEdits = Math.max(1, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestEdits = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const edits = distance(input.toLowerCase(), name.toLowerCase());
    if (edits < bestEdits) {
      best = name;
      bestEdits = edits;
    }
  }
  return bestEdits <= maxEdits ? best : undefined;
}
