// `npm run bench`: every benchmark of the performance targets in one invocation, then one table of
// the targets and whether this run met them. Each part is also a script of its own
// (bench/<part>.ts); flags of a part pass through as --<part>.<flag> value.
//
//   npm run bench                                  # everything, full length (about 25 minutes)
//   npm run bench -- --quick                       # everything, short (about 6 minutes)
//   npm run bench -- --parts=arrival,merge         # a selection
//   npm run bench -- --parts=soak --soak.duration 120
import { parseFlags, type FlagSpec } from './lib/args.ts';
import { interrupted } from './lib/children.ts';
import { loadAvg } from './lib/proc.ts';
import { printVerdicts, writeResult, type PartResult, type TargetVerdict } from './lib/report.ts';
import { FLAGS as ARRIVAL_FLAGS, runArrival } from './arrival.ts';
import { FLAGS as CONNECTIONS_FLAGS, runConnections } from './connections.ts';
import { FLAGS as MERGE_FLAGS, runMerge } from './merge.ts';
import { FLAGS as PEERS_FLAGS, runPeers } from './peers.ts';
import { FLAGS as CLIENT_FLAGS, runScriptedClient } from './scripted-client.ts';
import { FLAGS as SOAK_FLAGS, runSoak } from './soak.ts';
import { FLAGS as VUS_FLAGS, runVus } from './vus.ts';

interface Part {
  flags: Record<string, FlagSpec>;
  /** Flag values --quick uses instead of the defaults. */
  quick: Record<string, number | boolean | string>;
  run: (opts: never) => Promise<PartResult> | PartResult;
}

// In the order they run: the short CPU-only part first, the long soak last.
const PARTS: Record<string, Part> = {
  merge: { flags: MERGE_FLAGS, quick: { rounds: 5 }, run: runMerge },
  peers: { flags: PEERS_FLAGS, quick: { duration: 5, runs: 2 }, run: runPeers },
  'scripted-client': {
    flags: CLIENT_FLAGS,
    quick: { duration: 4, runs: 2 },
    run: runScriptedClient,
  },
  arrival: { flags: ARRIVAL_FLAGS, quick: { duration: 10, runs: 1 }, run: runArrival },
  vus: { flags: VUS_FLAGS, quick: { duration: 15 }, run: runVus },
  connections: { flags: CONNECTIONS_FLAGS, quick: { duration: 15 }, run: runConnections },
  soak: { flags: SOAK_FLAGS, quick: { duration: 120 }, run: runSoak },
};

const FLAGS = {
  parts: { kind: 'string', default: Object.keys(PARTS).join(','), help: 'parts to run, in order' },
  quick: { kind: 'boolean', default: false, help: 'short runs of every part' },
} as const;

function splitArgs(argv: readonly string[]): { own: string[]; perPart: Map<string, string[]> } {
  const own: string[] = [];
  const perPart = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--([a-z-]+)\.(.+)$/.exec(arg);
    if (!m?.[1] || !m[2]) {
      own.push(arg);
      continue;
    }
    const list = perPart.get(m[1]) ?? [];
    list.push(`--${m[2]}`);
    // A value follows unless it was given with "=" or the flag is a boolean.
    const spec = PARTS[m[1]]?.flags[m[2].split('=')[0]?.replace(/^no-/, '') ?? ''];
    if (!m[2].includes('=') && spec !== undefined && spec.kind !== 'boolean') {
      list.push(argv[++i] ?? '');
    }
    perPart.set(m[1], list);
  }
  return { own, perPart };
}

const { own, perPart } = splitArgs(process.argv.slice(2));
const opts = parseFlags('npm run bench --', FLAGS, own);
const names = opts.parts
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const name of [...names, ...perPart.keys()]) {
  if (!(name in PARTS)) {
    console.error(`unknown part ${name}; parts: ${Object.keys(PARTS).join(', ')}`);
    process.exit(2);
  }
}
const load = { before: loadAvg(), after: '' };
console.log(`[all] parts: ${names.join(', ')}${opts.quick ? ' (quick)' : ''}; load ${load.before}`);
const results: PartResult[] = [];
const failures: { part: string; error: string }[] = [];
for (const name of names) {
  if (interrupted()) break;
  const part = PARTS[name] as Part;
  const quickArgs = opts.quick
    ? Object.entries(part.quick).map(([k, v]) =>
        typeof v === 'boolean' ? (v ? `--${k}` : `--no-${k}`) : `--${k}=${v}`,
      )
    : [];
  const partOpts = parseFlags(`--${name}.`, part.flags, [
    ...quickArgs,
    ...(perPart.get(name) ?? []),
  ]);
  console.log(`\n[all] ===== ${name} =====`);
  try {
    results.push(await part.run(partOpts as never));
  } catch (e) {
    // One broken part must not cost the figures of the others.
    console.error(`[all] ${name} failed: ${(e as Error).stack ?? String(e)}`);
    failures.push({ part: name, error: (e as Error).message });
  }
}
load.after = loadAvg();
const verdicts: TargetVerdict[] = results.flatMap((r) => r.verdicts);
for (const f of failures) {
  verdicts.push({
    target: `${f.part} (failed to run)`,
    goal: '-',
    value: f.error.slice(0, 80),
    met: null,
  });
}
console.log(`\n[all] load average ${load.before} -> ${load.after}`);
printVerdicts(verdicts);
const file = writeResult('all', {
  options: opts,
  load,
  verdicts,
  files: Object.fromEntries(results.map((r) => [r.part, r.file])),
  failures,
});
console.log(`\n[all] summary written to ${file}`);
if (failures.length > 0) process.exitCode = 1;
