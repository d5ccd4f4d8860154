// How numbers, durations and times are shown.

/** A count with thousands separators. */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A number with `digits` decimals, or "–" for null. */
export function fmtNum(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A latency in ms: "12.3 ms". */
export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : `${fmtNum(ms, ms < 10 ? 2 : 1)} ms`;
}

/** A duration in ms as "1m 05s". */
export function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (h > 0) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** An epoch-ms time in the browser's locale, or "–". */
export function fmtTime(ms: number | null): string {
  return ms === null ? '–' : new Date(ms).toLocaleString();
}

/** A ratio as a percentage. */
export function fmtPct(ratio: number): string {
  return `${fmtNum(ratio * 100, 2)} %`;
}

/** Bytes as MiB. */
export function fmtMiB(bytes: number): string {
  return `${fmtNum(bytes / 1048576, 0)} MiB`;
}

/** An age in ms, short: "4s", "3m 05s", "2h 10m". */
export function fmtAgeMs(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  return fmtDuration(s * 1000);
}

/** A change of a comparison row: "+12.3 %" on the log scale, "+0.004" in units otherwise. */
export function fmtChange(value: number | null, percent: boolean): string {
  if (value === null) return '∞';
  const sign = value > 0 ? '+' : '';
  return percent ? `${sign}${fmtNum(value, 1)} %` : `${sign}${fmtNum(value, 3)}`;
}
