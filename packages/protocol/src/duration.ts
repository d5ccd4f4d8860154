import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Parses a k6-style duration ("30s", "1m30s", "1.5h", "250ms"; a bare number means ms) to milliseconds, or returns undefined. */
export function parseDurationMs(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
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

/** Zod schema for a duration option: a k6-style string or a number of milliseconds; parses to milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid duration ${JSON.stringify(value)}: use a non-negative number of ms or a string such as "30s", "1m30s", "250ms"`,
    });
    return z.NEVER;
  }
  return ms;
});
