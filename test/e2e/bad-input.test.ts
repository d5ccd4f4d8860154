// Bad input must be refused before any load is sent (exit 2, message naming the place); script
// errors and failed thresholds have their own exit codes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  counterOf,
  describeResult,
  readSummary,
  runCli,
  startRecordingTarget,
  tempDir,
  type RecordingTarget,
} from './harness.ts';

let target: RecordingTarget;
const tmp = tempDir();
before(async () => {
  target = await startRecordingTarget();
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

/** A script that would hit the target on every iteration, with the given options and extra code. */
function script(options: string, extra = ''): string {
  return `import { http } from 'stampede';
export const options = ${options};
${extra}
export default async function () { await http.get(__ENV.TARGET + '/hit'); }
`;
}

async function writeScript(name: string, text: string): Promise<string> {
  const { writeFileSync } = await import('node:fs');
  const file = tmp.path(name);
  writeFileSync(file, text);
  return file;
}

async function expectBadInput(args: string[], where: RegExp | string): Promise<string> {
  const before = target.seen.length;
  const r = await runCli(['run', ...args, '--quiet'], {
    cwd: tmp.dir,
    env: { TARGET: target.url },
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 2, describeResult(r));
  if (typeof where === 'string') assert.ok(r.stderr.includes(where), describeResult(r));
  else assert.match(r.stderr, where);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace for bad input');
  assert.equal(target.seen.length - before, 0, 'the target must receive no request');
  return r.stderr;
}

test('TypeScript syntax error: exit 2 naming file:line:col', async () => {
  const file = await writeScript(
    'syntax.ts',
    `import { http } from 'stampede';
export const options = { iterations: 1 };
export default async function () {
  const x: number = ;
  await http.get(__ENV.TARGET + '/hit' + x);
}
`,
  );
  await expectBadInput([file], `${file}:4:21`);
});

const badOptions: [string, string, RegExp | string][] = [
  [
    'unknown executor',
    `{ scenarios: { a: { executor: 'nope', vus: 1, duration: '1s' } } }`,
    /options\.scenarios\.a\.executor.*unknown executor "nope"/,
  ],
  ['negative duration', `{ vus: 1, duration: '-5s' }`, /options\.duration.*"-5s"/],
  [
    'constant-arrival-rate without preAllocatedVUs',
    `{ scenarios: { a: { executor: 'constant-arrival-rate', rate: 1, duration: '1s' } } }`,
    'options.scenarios.a.preAllocatedVUs',
  ],
  [
    'unknown threshold aggregation',
    `{ iterations: 1, thresholds: { http_req_duration: ['p95<200'] } }`,
    /thresholds\["http_req_duration"\]\[0\].*p95/,
  ],
  [
    'threshold on an unknown metric',
    `{ iterations: 1, thresholds: { no_such_metric: ['count<2'] } }`,
    /thresholds\["no_such_metric"\].*unknown metric/,
  ],
  ['unknown top-level option', `{ iterations: 1, bogusOption: true }`, /options.*bogusOption/],
  [
    'negative duration inside a scenario',
    `{ scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '-5s' } } }`,
    /options\.scenarios\.a\.duration/,
  ],
];

for (const [name, options, where] of badOptions) {
  test(`bad option (${name}): exit 2 naming the option path`, async () => {
    const file = await writeScript(`opt-${name.replaceAll(' ', '-')}.ts`, script(options));
    await expectBadInput([file], where);
  });
}

const badFlags: [string, string[], RegExp][] = [
  ['--vus abc', ['--vus', 'abc'], /--vus.*"abc"/],
  ['--duration 5x', ['--duration', '5x'], /--duration.*"5x"/],
  ['unknown flag', ['--bogus'], /--bogus/],
  ['--rate without --duration', ['--rate', '10'], /--rate needs --duration/],
  ['--rate 0', ['--rate', '0', '--duration', '1s'], /--rate/],
];

for (const [name, flags, where] of badFlags) {
  test(`bad CLI flag (${name}): exit 2 naming the flag`, async () => {
    await expectBadInput(['--url', `${target.url}/hit`, ...flags], where);
  });
}

test('bad declarative file: exit 2 naming the field', async () => {
  const file = await writeScript(
    'bad.yaml',
    `options:\n  iterations: 1\nrequests:\n  - method: GET\n    expectStatus: 200\n`,
  );
  await expectBadInput([file], /bad\.yaml.*url/);
});

test('script throwing in init code: exit 107 with the message, no request', async () => {
  const file = await writeScript(
    'init-throws.ts',
    script('{ iterations: 1 }', `throw new Error('boom in init');`),
  );
  const before = target.seen.length;
  const r = await runCli(['run', file, '--quiet'], {
    env: { TARGET: target.url },
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 107, describeResult(r));
  assert.match(r.stderr, /boom in init/);
  assert.ok(r.stderr.includes('init-throws.ts'), describeResult(r));
  assert.equal(target.seen.length - before, 0);
});

test('failing thresholds: exit 99, summary still printed and written', async () => {
  const file = await writeScript(
    'thresholds.ts',
    script(
      `{ iterations: 5, thresholds: { http_reqs: ['count<3'], http_req_failed: ['rate<0.5'] } }`,
    ),
  );
  const summaryPath = tmp.path('thresholds.json');
  const r = await runCli(['run', file, '--quiet', '--summary-json', summaryPath], {
    env: { TARGET: target.url },
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 99, describeResult(r));
  assert.match(r.stdout, /http_reqs/);
  const s = readSummary(summaryPath);
  assert.equal(s.result, 'failed');
  assert.equal(counterOf(s, 'http_reqs'), 5);
  assert.deepEqual(
    s.thresholds['http_reqs']?.map((t) => [t.expression, t.ok, t.value]),
    [['count<3', false, 5]],
  );
  assert.equal(s.thresholds['http_req_failed']?.[0]?.ok, true);
});

test('an iteration that throws: the run continues, the error is logged, exit 0', async () => {
  const file = await writeScript(
    'iter-throws.ts',
    `import { http } from 'stampede';
export const options = { iterations: 6, vus: 1 };
let n = 0;
export default async function () {
  n++;
  if (n % 2 === 0) throw new Error('iteration boom ' + n);
  await http.get(__ENV.TARGET + '/iter-throws');
}
`,
  );
  const summaryPath = tmp.path('iter-throws.json');
  const before = target.count('/iter-throws');
  const r = await runCli(
    ['run', file, '--quiet', '--workers', '1', '--summary-json', summaryPath],
    {
      env: { TARGET: target.url },
      timeoutMs: 20_000,
    },
  );
  assert.equal(r.code, 0, describeResult(r));
  assert.equal(target.count('/iter-throws') - before, 3);
  assert.match(r.stdout + r.stderr, /iteration boom/);
  const s = readSummary(summaryPath);
  assert.equal(s.scenarios['default']?.iterations ?? counterOf(s, 'iterations'), 6);
});
