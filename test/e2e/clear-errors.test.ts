// Clear errors for common habits (issue 10 items 7-10, 14): each mistake is refused before any
// load is sent, with exit 2 and a message that names the place and suggests the fix.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  describeResult,
  runCli,
  startRecordingTarget,
  tempDir,
  type CliResult,
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

function writeFile(name: string, text: string): string {
  const file = tmp.path(name);
  writeFileSync(file, text);
  return file;
}

/** A script hitting the target each iteration, with the given options. */
function script(name: string, options: string, imports = ''): string {
  return writeFile(
    name,
    `import { http } from 'stampede';
${imports}
export const options = ${options};
export default async function () { await http.get(__ENV.TARGET + '/hit'); }
`,
  );
}

/** Runs `stampede run <args>` and asserts exit 2, no stack, no request; returns stderr. */
async function expectBadInput(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const before = target.seen.length;
  const r = await runCli(['run', ...args, '--quiet'], {
    cwd: tmp.dir,
    env: { TARGET: target.url, ...env },
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 2, describeResult(r));
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, describeResult(r));
  assert.equal(target.seen.length - before, 0, 'the target must receive no request');
  return r;
}

test('item 7: a unitless duration is refused with a hint, in options, CLI and YAML', async () => {
  const fromEnv = script('dur-env.ts', `{ vus: 1, duration: __ENV.DUR }`);
  let r = await expectBadInput([fromEnv], { DUR: '2' });
  assert.match(r.stderr, /options\.duration.*"2": a duration needs a unit; did you mean "2s"/);

  r = await expectBadInput(['--url', `${target.url}/hit`, '--duration', '30']);
  assert.match(r.stderr, /--duration: invalid duration "30".*did you mean "30s"/);

  const yaml = writeFile(
    'dur.yaml',
    `options:\n  vus: 1\n  duration: "30"\nrequests:\n  - url: ${target.url}/hit\n`,
  );
  r = await expectBadInput([yaml]);
  assert.match(r.stderr, /options\.duration.*did you mean "30s"/);
});

test('item 8: vus: Number(__ENV.VUS) with VUS=abc says it got NaN', async () => {
  const file = script('nan.ts', `{ vus: Number(__ENV.VUS), duration: '1s' }`);
  const r = await expectBadInput([file], { VUS: 'abc' });
  assert.match(r.stderr, /options\.vus: got NaN, expected a number/, describeResult(r));
  assert.doesNotMatch(r.stderr, /is required/, describeResult(r));
});

test('item 9: unknown flags and option keys get "did you mean", no Node parser message', async () => {
  let r = await expectBadInput(['--url', `${target.url}/hit`, '--vuss', '2']);
  assert.match(r.stderr, /^error: unknown flag --vuss \(did you mean --vus\?\)$/m);
  assert.doesNotMatch(r.stderr, /positional argument|'-- "/, describeResult(r));

  r = await expectBadInput([script('typo.ts', `{ vus: 1, duraton: '1s' }`)]);
  assert.match(r.stderr, /options: unknown option "duraton" \(did you mean "duration"\?\)/);

  const yaml = writeFile(
    'typo.yaml',
    `options:\n  vus: 1\nrequests:\n  - url: ${target.url}/hit\n    methd: GET\n`,
  );
  r = await expectBadInput([yaml]);
  assert.match(r.stderr, /requests\[0\]: unknown option "methd" \(did you mean "method"\?\)/);

  const other = await runCli(['tokens', 'list', '--servr', 'https://127.0.0.1:1']);
  assert.equal(other.code, 2, describeResult(other));
  assert.match(other.stderr, /unknown flag --servr \(did you mean --server\?\)/);
});

test('item 10: an https:// import is bad input (exit 2) that says how to vendor it', async () => {
  const file = script(
    'remote.ts',
    `{ iterations: 1 }`,
    `import { randomIntBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';\nconsole.log(randomIntBetween);`,
  );
  const r = await expectBadInput([file]);
  assert.match(
    r.stderr,
    new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:\\d+`),
    describeResult(r),
  );
  assert.match(
    r.stderr,
    /remote module "https:\/\/jslib\.k6\.io\/k6-utils\/1\.4\.0\/index\.js" is not fetched/,
  );
  assert.match(
    r.stderr,
    /curl -fsSLo index\.js https:\/\/jslib\.k6\.io\/k6-utils\/1\.4\.0\/index\.js/,
  );
  assert.match(r.stderr, /import '\.\/index\.js'/);
});

test('item 14: the quick-mode banner names the request, not a generated file', async () => {
  const r = await runCli(
    ['run', '--url', `${target.url}/hit`, '--method', 'post', '--iterations', '1'],
    {
      cwd: tmp.dir,
      timeoutMs: 20_000,
    },
  );
  assert.equal(r.code, 0, describeResult(r));
  assert.match(
    r.stderr,
    new RegExp(`^stampede: quick mode, POST ${target.url}/hit$`, 'm'),
    describeResult(r),
  );
  assert.doesNotMatch(r.stderr + r.stdout, /quick-test/, describeResult(r));
});
