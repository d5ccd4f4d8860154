// Human formatting of summary values for the terminal: durations with µs/ms/s/m/h, byte counts
// in decimal kB/MB/GB (as k6 does), percentages and plain numbers with few digits.

function trim(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A duration given in ms, such as `512.3µs`, `148.21ms`, `2.5s`, `1m2.5s` or `1h2m3s`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 1) return `${trim(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${trim(ms, 2)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000, 2)}s`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return h > 0 ? `${h}h${m}m${Math.floor(s)}s` : `${m}m${trim(s, 1)}s`;
}

const BYTE_UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/** A byte count in decimal units, such as `512 B`, `12 kB` or `1.2 MB`. */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1000) return `${trim(bytes, 0)} B`;
  let v = bytes;
  let unit = 'B';
  for (const u of BYTE_UNITS) {
    if (Math.abs(v) < 1000) break;
    v /= 1000;
    unit = u;
  }
  return `${trim(v, 1)} ${unit}`;
}

/** A ratio (0–1) as a percentage with two decimals, such as `99.50%`. */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

/** A plain number: integers as they are, others with two decimals or three significant digits when small. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= 1) return trim(x, 2);
  return String(Number(x.toPrecision(3)));
}
