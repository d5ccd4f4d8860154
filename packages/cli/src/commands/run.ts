import { availableParallelism } from 'node:os';
import {
  ExecutionSegment,
  prepareTest,
  SegmentSequence,
  type OptionOverrides,
  type TestSource,
} from '@stampede/engine';
import { UsageError } from '../cli-error.ts';
import { parseFlags } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import {
  durationFlag,
  headerFlags,
  intFlag,
  keyValueFlags,
  labelFlags,
  outFlags,
  positiveFlag,
  stagesFlag,
} from '../flags.ts';
import { runLocally, runRepeated } from './run-local.ts';
import { checkOutputTarget, checkOutputTargets } from '../summary-output.ts';
import { clientFromFlags } from '../remote/common-flags.ts';
import { runRemote } from '../remote/remote-run.ts';

/** Help text of `stampede run`. */
export const RUN_USAGE = `Usage: stampede run <file> [flags]     file: .ts .js .mjs (script) or .yaml .yml .json (request list)
       stampede run --url URL [flags]   quick mode: one request per iteration

Load shape (override the script's options):
  --vus N                 virtual users (with --duration: constant-vus)
  --duration D            test duration, e.g. 30s, 1m30s
  --iterations N          total iterations shared by the VUs (shared-iterations)
  --stages D:N,D:N        ramping VUs, e.g. 10s:20,30s:20,10s:0
  --rate R                arrival rate in iterations/s (constant-arrival-rate, needs --duration)
  --max-vus N             VU cap for --rate (default: 10x the rate, at most 10000)
Quick mode:
  --url URL  --method M  --header "Name: value" (repeatable)  --body TEXT
Fast path (--url and request lists run on raw sockets unless they need the script client):
  --pipelining N          requests in flight per connection (default 1)
  --no-fast-path          run on the scripted path instead
Execution:
  --workers N             load worker threads (default: CPU cores)
  --execution-segment a:b run only this share of the plan, e.g. 0:1/2
  --execution-segment-sequence 0,1/2,1   the whole partition the segment belongs to
  --env K=V               environment variable for the script (repeatable)
  --tag K=V               tag on every sample of the run (repeatable; over options.tags)
  --label K=V             label on the run (repeatable): in the summary JSON and, with
                          --server, stored on the controller's run (stampede runs list --label)
  --insecure-skip-tls-verify
Distributed (on a controller's generators; token from STAMPEDE_TOKEN):
  --server URL            controller URL (or STAMPEDE_SERVER); only --env variables travel
  --generators N          generators sharing the load (default 1)
  --pool NAME             generator pool (default: the controller's, normally "local";
                          agents that joined with a plain token are in pool "static")
  --project P             project (id or name) whose allow-list and caps apply
  --token T  --ca-file FILE
Output:
  --summary-json FILE     write the end-of-test summary (docs/summary-json.md); - = stdout
  --repeat K              run the test K times back to back (for stampede compare); the
                          summaries go to FILE.1.json … FILE.K.json (docs/compare.md)
  --out json=FILE         write one NDJSON line per interval snapshot; - = stdout
  --out html=FILE         write the self-contained HTML report (charts, tables; docs/cli.md)
                          (paths are checked before the test starts; bad ones exit 2)
  --quiet                 no live view
  --no-color              plain text
Exit codes: 0 passed, 2 bad input, 99 thresholds failed, 105 interrupted, 107 script error.`;

/** `stampede run`: runs a test on this machine and prints the summary; returns the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        vus: { type: 'string' },
        duration: { type: 'string' },
        iterations: { type: 'string' },
        stages: { type: 'string' },
        rate: { type: 'string' },
        'max-vus': { type: 'string' },
        url: { type: 'string' },
        method: { type: 'string' },
        header: { type: 'string', multiple: true },
        body: { type: 'string' },
        pipelining: { type: 'string' },
        'no-fast-path': { type: 'boolean' },
        workers: { type: 'string' },
        'execution-segment': { type: 'string' },
        'execution-segment-sequence': { type: 'string' },
        env: { type: 'string', multiple: true, short: 'e' },
        tag: { type: 'string', multiple: true },
        label: { type: 'string', multiple: true },
        'insecure-skip-tls-verify': { type: 'boolean' },
        'summary-json': { type: 'string' },
        repeat: { type: 'string' },
        out: { type: 'string', multiple: true, short: 'o' },
        quiet: { type: 'boolean', short: 'q' },
        'no-color': { type: 'boolean' },
        server: { type: 'string' },
        generators: { type: 'string' },
        pool: { type: 'string' },
        project: { type: 'string' },
        token: { type: 'string' },
        'ca-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
  const { values: f, positionals } = parsed;
  if (f.help) {
    process.stdout.write(`${RUN_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 1)
    throw new UsageError(`expected one test file, got ${positionals.length}`);
  const file = positionals[0];
  if (file !== undefined && f.url !== undefined)
    throw new UsageError('give either a test file or --url, not both');
  if (file === undefined && f.url === undefined) throw new UsageError('give a test file or --url');
  if (
    f.url === undefined &&
    (f.method !== undefined || f.header !== undefined || f.body !== undefined)
  ) {
    throw new UsageError('--method, --header and --body need --url');
  }

  const overrides: OptionOverrides = {};
  const vus = intFlag('vus', f.vus, 1);
  const durationMs = durationFlag('duration', f.duration);
  const iterations = intFlag('iterations', f.iterations, 1);
  const stages = stagesFlag(f.stages);
  const ratePerSec = positiveFlag('rate', f.rate);
  const maxVus = intFlag('max-vus', f['max-vus'], 1);
  if (durationMs !== undefined && durationMs <= 0) throw new UsageError('--duration: must be > 0');
  if (vus !== undefined) overrides.vus = vus;
  if (durationMs !== undefined) overrides.durationMs = durationMs;
  if (iterations !== undefined) overrides.iterations = iterations;
  if (stages !== undefined) overrides.stages = stages;
  if (ratePerSec !== undefined) {
    if (durationMs === undefined) throw new UsageError('--rate needs --duration');
    if (iterations !== undefined || stages !== undefined)
      throw new UsageError('--rate cannot be combined with --iterations or --stages');
    overrides.ratePerSec = ratePerSec;
  }
  if (maxVus !== undefined) overrides.maxVus = maxVus;
  if (f['insecure-skip-tls-verify']) overrides.insecureSkipTLSVerify = true;
  const tags = keyValueFlags('tag', f.tag);
  if (Object.keys(tags).length > 0) overrides.tags = tags;
  const labels = labelFlags(f.label);
  const pipelining = intFlag('pipelining', f.pipelining, 1);
  if (pipelining !== undefined && pipelining > 1024)
    throw new UsageError(`--pipelining: expected an integer <= 1024, got "${f.pipelining}"`);
  if (pipelining !== undefined && file !== undefined && !DECLARATIVE_FILE.test(file))
    throw new UsageError(
      '--pipelining: only --url and request lists (.yaml/.json) use the fast path',
    );
  const workers = intFlag('workers', f.workers, 1) ?? availableParallelism();
  const out = outFlags(f.out);
  checkOutputTargets(f['summary-json'], out.ndjsonPath);
  if (out.htmlPath !== undefined) checkOutputTarget('--out html', out.htmlPath);
  const repeat = intFlag('repeat', f.repeat, 1) ?? 1;
  if (repeat > 1000)
    throw new UsageError(`--repeat: expected an integer <= 1000, got "${f.repeat}"`);
  if (repeat > 1 && f['summary-json'] === '-')
    throw new UsageError('--repeat writes one summary per run: give --summary-json a file, not -');
  if (repeat > 1 && (out.ndjsonPath !== undefined || out.htmlPath !== undefined))
    throw new UsageError(
      '--repeat cannot be combined with --out json= or html= (one file per run is not supported yet)',
    );
  checkSegmentFlags(f['execution-segment'], f['execution-segment-sequence']);
  const env = { ...processEnv(), ...keyValueFlags('env', f.env) };

  let source: TestSource;
  if (file !== undefined) {
    source = { file };
  } else {
    source = {
      baseDir: process.cwd(),
      declarative: {
        // Quick mode has no thresholds of its own: a safety net so that a run whose requests
        // fail does not end "passed" (docs/thresholds.md).
        options: { thresholds: QUICK_MODE_THRESHOLDS },
        pipelining: 1,
        fastPath: true,
        requests: [
          {
            method: (f.method ?? 'GET').toUpperCase(),
            url: checkUrl(f.url as string),
            headers: headerFlags(f.header),
            ...(f.body !== undefined ? { body: f.body } : {}),
          },
        ],
      },
    };
  }

  if (
    f.server !== undefined ||
    f.generators !== undefined ||
    f.pool !== undefined ||
    f.project !== undefined
  ) {
    if (f.server === undefined && !process.env['STAMPEDE_SERVER'])
      throw new UsageError('--generators needs --server URL (or STAMPEDE_SERVER)');
    const generators = intFlag('generators', f.generators, 1) ?? 1;
    for (const local of [
      'repeat',
      'workers',
      'execution-segment',
      'execution-segment-sequence',
      'out',
    ] as const) {
      if (f[local] !== undefined)
        throw new UsageError(`--${local} applies to local runs only, not with --server`);
    }
    const client = clientFromFlags({ server: f.server, token: f.token, 'ca-file': f['ca-file'] });
    try {
      return await runRemote({
        client,
        source: 'declarative' in source ? { declarative: source.declarative } : source,
        overrides,
        env: keyValueFlags('env', f.env),
        generators,
        labels,
        ...(f.pool === undefined ? {} : { pool: f.pool }),
        ...(f.project === undefined ? {} : { project: f.project }),
        summaryJsonPath: f['summary-json'],
        quiet: f.quiet === true,
        color: !f['no-color'] && process.stdout.isTTY === true && !process.env['NO_COLOR'],
        progress: (line) => process.stderr.write(`${line}\n`),
      });
    } finally {
      await client.close();
    }
  }

  const test = await prepareTest({
    source,
    overrides,
    env,
    ...(pipelining !== undefined ? { pipelining } : {}),
    ...(f['no-fast-path'] ? { fastPath: false } : {}),
  });
  const color = !f['no-color'] && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const local = {
    workers,
    quiet: f.quiet === true,
    color,
    labels,
    // Quick mode has no file: name the request instead of the generated script.
    ...(file === undefined
      ? { bannerTitle: `quick mode, ${(f.method ?? 'GET').toUpperCase()} ${f.url}` }
      : {}),
    ...(f['execution-segment'] ? { segment: f['execution-segment'] } : {}),
    ...(f['execution-segment-sequence']
      ? { segmentSequence: f['execution-segment-sequence'] }
      : {}),
    ...(out.ndjsonPath ? { ndjsonPath: out.ndjsonPath } : {}),
    ...(out.htmlPath ? { htmlPath: out.htmlPath } : {}),
  };
  if (repeat === 1) return runLocally(test, { ...local, summaryJsonPath: f['summary-json'] });
  return runRepeated(test, local, repeat, f['summary-json']);
}

/** The default thresholds of quick mode (`--url`): fail when 1% or more of the requests fail. */
export const QUICK_MODE_THRESHOLDS = { http_req_failed: ['rate<0.01'] };

const DECLARATIVE_FILE = /\.(ya?ml|json)$/i;

function checkSegmentFlags(segment: string | undefined, sequence: string | undefined): void {
  try {
    const seg = ExecutionSegment.parse(segment ?? '0:1');
    if (sequence !== undefined) SegmentSequence.parse(sequence).indexOf(seg);
  } catch (error) {
    const flag =
      sequence !== undefined && segment !== undefined
        ? 'execution-segment(-sequence)'
        : segment !== undefined
          ? 'execution-segment'
          : 'execution-segment-sequence';
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: invalid URL "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url: only http:// and https:// URLs are supported, got "${url}"`);
  }
  return url;
}

function processEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}
