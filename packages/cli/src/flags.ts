import { invalidDurationMessage, labelKeyPattern, parseDurationMs } from '@stampede/protocol';
import { UsageError } from './cli-error.ts';

/** Parses a non-negative integer flag value, naming the flag on error. */
export function intFlag(flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${flag}: expected an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

/** Parses a positive number flag value (decimals allowed). */
export function positiveFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag}: expected a number > 0, got "${value}"`);
  }
  return n;
}

/** Parses a duration flag ("30s", "1m30s", "500ms"), in ms. */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new UsageError(`--${flag}: ${invalidDurationMessage(value)}`);
  return ms;
}

/** Parses --stages "30s:10,1m:20" into ramping stages. */
export function stagesFlag(
  value: string | undefined,
): { duration: number; target: number }[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((part, i) => {
    const [d, t] = part.split(':');
    const duration = d === undefined ? undefined : parseDurationMs(d);
    if (duration === undefined && d !== undefined && t !== undefined) {
      throw new UsageError(`--stages: stage ${i + 1}: ${invalidDurationMessage(d)}`);
    }
    if (duration === undefined || t === undefined || !/^\d+$/.test(t.trim())) {
      throw new UsageError(
        `--stages: stage ${i + 1} "${part}" must be DURATION:TARGET, e.g. 30s:10`,
      );
    }
    return { duration, target: Number(t) };
  });
}

/** Parses repeated KEY=VALUE flags (--env). */
export function keyValueFlags(flag: string, values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag}: expected KEY=VALUE, got "${v}"`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** Parses repeated --label KEY=VALUE flags; keys as the controller accepts them. */
export function labelFlags(values: string[] | undefined): Record<string, string> {
  const out = keyValueFlags('label', values);
  for (const [key, value] of Object.entries(out)) {
    if (!labelKeyPattern.test(key))
      throw new UsageError(`--label: key "${key}" must match ${labelKeyPattern.source}`);
    if (value.length > 256)
      throw new UsageError(`--label: value of "${key}" is over 256 characters`);
  }
  return out;
}

/** Parses repeated "Name: value" header flags. */
export function headerFlags(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const colon = v.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header: expected "Name: value", got "${v}"`);
    out[v.slice(0, colon).trim()] = v.slice(colon + 1).trim();
  }
  return out;
}

/** Parses repeated --out TYPE=FILE flags: json (interval NDJSON) and html (the HTML report). */
export function outFlags(values: string[] | undefined): { ndjsonPath?: string; htmlPath?: string } {
  const out: { ndjsonPath?: string; htmlPath?: string } = {};
  for (const v of values ?? []) {
    const m = /^([a-z]+)=(.+)$/.exec(v);
    if (m?.[1] === 'json') out.ndjsonPath = m[2] as string;
    else if (m?.[1] === 'html') out.htmlPath = m[2] as string;
    else throw new UsageError(`--out: expected json=FILE or html=FILE, got "${v}"`);
  }
  if (out.htmlPath === '-') throw new UsageError('--out html= needs a file, not -');
  if (out.htmlPath !== undefined && out.ndjsonPath === '-')
    throw new UsageError('--out html= reads the intervals back: give --out json= a file, not -');
  return out;
}

/** The run overrides of `--vus N` and `--duration D` (only those given), for jobs that start runs. */
export function loadShapeFlags(
  vus: string | undefined,
  duration: string | undefined,
): Record<string, number> {
  const overrides: Record<string, number> = {};
  const n = intFlag('vus', vus, 1);
  const durationMs = durationFlag('duration', duration);
  if (n !== undefined) overrides['vus'] = n;
  if (durationMs !== undefined) overrides['durationMs'] = durationMs;
  return overrides;
}
