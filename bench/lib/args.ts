// A small flag parser for the benchmark scripts: `--name value`, `--name=value`, `--flag`,
// `--no-flag`, with a usage text generated from the same table.

/** One flag: its kind, default and help line. */
export type FlagSpec =
  | { kind: 'number'; default: number; help: string }
  | { kind: 'string'; default: string; help: string }
  | { kind: 'boolean'; default: boolean; help: string };

/** The parsed values of a flag table. */
export type FlagValues<T extends Record<string, FlagSpec>> = {
  [K in keyof T]: T[K] extends { kind: 'number' }
    ? number
    : T[K] extends { kind: 'string' }
      ? string
      : boolean;
};

/** The usage text of a flag table. */
export function usage(command: string, specs: Record<string, FlagSpec>): string {
  const lines = [`Usage: ${command} [flags]`];
  for (const [name, spec] of Object.entries(specs)) {
    const flag =
      spec.kind === 'boolean'
        ? `--${name} | --no-${name}`
        : `--${name} ${spec.kind === 'number' ? 'N' : 'S'}`;
    lines.push(`  ${flag.padEnd(30)} ${spec.help} (default ${String(spec.default)})`);
  }
  return lines.join('\n');
}

/** Parses `argv` against `specs`; prints usage and exits on --help, throws on a bad flag. */
export function parseFlags<T extends Record<string, FlagSpec>>(
  command: string,
  specs: T,
  argv: readonly string[],
): FlagValues<T> {
  const out: Record<string, number | string | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      console.log(usage(command, specs));
      process.exit(0);
    }
    if (!arg.startsWith('--'))
      throw new Error(`unexpected argument ${arg}\n${usage(command, specs)}`);
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let negated = false;
    if (!(name in specs) && name.startsWith('no-') && specs[name.slice(3)]?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = specs[name];
    if (spec === undefined) throw new Error(`unknown flag ${arg}\n${usage(command, specs)}`);
    if (spec.kind === 'boolean') {
      out[name] = eq >= 0 ? arg.slice(eq + 1) !== 'false' : !negated;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[++i];
      if (next === undefined) throw new Error(`--${name} needs a value`);
      value = next;
    }
    if (spec.kind === 'number') {
      const n = parseNumber(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number >= 0: ${value}`);
      out[name] = n;
    } else {
      out[name] = value;
    }
  }
  return out as FlagValues<T>;
}

/** A number, also with a duration suffix (s, m) meaning seconds: "30s" = 30, "10m" = 600. */
function parseNumber(text: string): number {
  const m = /^([\d.]+)\s*(s|m|min)?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'm' || m[2] === 'min' ? n * 60 : n;
}
