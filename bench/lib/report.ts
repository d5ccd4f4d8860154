// Reporting helpers shared by the benchmarks: medians, number formats, text tables, the machine
// description and the JSON result files in bench/out/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, ROOT } from './children.ts';
import { loadAvg } from './proc.ts';
import { pinning } from './targets.ts';

/** Where result files go (git-ignored). */
export const OUT_DIR = join(BENCH_DIR, 'out');

/** One performance target of the issue and how this run did against it. */
export interface TargetVerdict {
  /** What is measured, e.g. "scripted path / wrk on nginx". */
  target: string;
  /** The goal, e.g. ">= 0.5". */
  goal: string;
  /** The measured value as text (with its unit). */
  value: string;
  /** True met, false missed, null not measurable in this run. */
  met: boolean | null;
}

/** What every benchmark part returns to bench/all.ts. */
export interface PartResult {
  part: string;
  verdicts: TargetVerdict[];
  /** The JSON file the part wrote. */
  file: string;
}

/** The median of `xs`, or null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** A whole number with thousands separators, or "-". */
export const fmt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US');

/** A number with `digits` decimals, or "-". */
export const fixed = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);

/** A text table: the first row is the header; numeric-looking cells are right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const numeric = /^[-+]?[\d,.]+( ?[a-zA-Z%/µ]+)?$|^-$/;
  return rows
    .map((r, ri) => {
      const line = r.map((cell, i) =>
        ri > 0 && numeric.test(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      );
      const text = line.join('  ').trimEnd();
      return ri === 0 ? `${text}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : text;
    })
    .join('\n');
}

/** The git commit and whether the working tree has uncommitted changes. */
export function commit(): { commit: string | null; dirty: boolean | null } {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const st = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return {
    commit: rev.status === 0 ? rev.stdout.trim() : null,
    dirty: st.status === 0 ? st.stdout.trim() !== '' : null,
  };
}

/** The machine a benchmark ran on. */
export function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    ...commit(),
    pinning: pinning(),
    loadAvg: loadAvg(),
  };
}

/** Writes `data` (plus date, command and machine) to bench/out/NAME-<timestamp>.json; returns the path. */
export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(OUT_DIR, `${name}-${stamp}.json`);
  const command = `node bench/${name}.ts ${process.argv.slice(2).join(' ')}`.trim();
  const body = { date: new Date().toISOString(), command, machine: machine(), ...data };
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}

/** Prints the verdicts of one or more parts as a table. */
export function printVerdicts(verdicts: readonly TargetVerdict[]): void {
  const mark = (m: boolean | null): string => (m === null ? 'n/a' : m ? 'MET' : 'NOT MET');
  const rows = [['target', 'goal', 'measured', 'verdict']];
  for (const v of verdicts) rows.push([v.target, v.goal, v.value, mark(v.met)]);
  console.log('\n' + table(rows));
}
