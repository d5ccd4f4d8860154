import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

const UNITLESS = /^\d+(\.\d+)?$/;

/**
 * Parses a duration to milliseconds, or returns undefined. Text needs a unit ("30s", "1m30s",
 * "1.5h", "250ms"): a unitless string such as "30" is refused, since both readings (ms, as k6's
 * number form, or seconds) surprise someone. A JavaScript number is milliseconds, as in k6.
 */
export function parseDurationMs(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (text === '' || UNITLESS.test(text)) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    consumed = PART.lastIndex;
  }
  return consumed === text.length ? total : undefined;
}

/** Formats a duration in milliseconds for people ("1m30s", "250ms", "2h0m0s"). */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  const sText = Number.isInteger(s) ? String(s) : s.toFixed(1);
  if (h > 0) return `${h}h${m}m${sText}s`;
  if (m > 0) return `${m}m${sText}s`;
  return `${sText}s`;
}

/** Why a duration text was refused, with a hint: for "30", that it needs a unit ("30s"?). */
export function invalidDurationMessage(input: string | number): string {
  const text = String(input).trim();
  if (UNITLESS.test(text)) {
    return `invalid duration ${JSON.stringify(input)}: a duration needs a unit; did you mean "${text}s" (or "${text}ms")?`;
  }
  return `invalid duration ${JSON.stringify(input)}: use a unit, e.g. "30s", "1m30s", "250ms" (a number, not a string, is milliseconds)`;
}

/** Zod schema for a duration option: a string with a unit ("30s") or a number of milliseconds; parses to milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: invalidDurationMessage(value) });
    return z.NEVER;
  }
  return ms;
});
