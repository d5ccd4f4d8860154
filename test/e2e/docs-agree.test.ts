// Docs that agree with the code (issue 10 item 16): the exit codes docs/exit-codes.md gives for a
// failing teardown(), a bad --execution-segment and a crashed worker are the ones the CLI
// returns, and the README stands alone (every link it makes stays inside the repository).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { describeResult, REPO, runCli, tempDir } from './harness.ts';

const EXIT_DOC = readFileSync(join(REPO, 'docs/exit-codes.md'), 'utf8');

/** The code of the exit-codes table row whose "When" mentions `phrase`. */
function documentedCode(phrase: string): number {
  const rows = EXIT_DOC.split('\n').filter((l) => /^\| \d+ \|/.test(l) && l.includes(phrase));
  assert.equal(rows.length, 1, `exactly one exit-code row mentions ${phrase}: ${rows.join('\n')}`);
  return Number(/^\| (\d+) \|/.exec(rows[0] as string)?.[1]);
}

test('a failing teardown() exits with the documented code', async () => {
  const tmp = tempDir({
    'td.ts': `export const options = { iterations: 1 };
export default async function () {}
export function teardown() { throw new Error('teardown broke'); }
`,
  });
  try {
    const r = await runCli(['run', tmp.path('td.ts'), '--quiet'], { timeoutMs: 20_000 });
    assert.equal(r.code, documentedCode('`teardown()` threw'), describeResult(r));
  } finally {
    tmp.cleanup();
  }
});

test('an invalid --execution-segment exits with the documented code', async () => {
  const r = await runCli(
    ['run', '--url', 'http://127.0.0.1:1/', '--iterations', '1', '--execution-segment', '2:1'],
    { timeoutMs: 20_000 },
  );
  assert.equal(r.code, documentedCode('`--execution-segment`'), describeResult(r));
  assert.match(r.stderr, /--execution-segment/);
});

test('a crashed worker has one documented exit code, not "0 (or 99)"', () => {
  assert.equal(documentedCode('crashed during the run'), 1);
  assert.doesNotMatch(EXIT_DOC, /exit code is 0 \(or 99/);
});

test('the README and docs link only to files inside the repository that exist', () => {
  const files = ['README.md', ...readdirSync(join(REPO, 'docs')).map((f) => `docs/${f}`)].filter(
    (f) => f.endsWith('.md'),
  );
  for (const file of files) {
    const text = readFileSync(join(REPO, file), 'utf8');
    assert.doesNotMatch(text, /\.\.\/shared\//, `${file} points outside the repository`);
    for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1] as string;
      if (/^[a-z]+:/.test(target)) continue;
      const full = resolve(dirname(join(REPO, file)), target);
      assert.ok(!relative(REPO, full).startsWith('..'), `${file}: ${target} leaves the repository`);
      assert.ok(existsSync(full), `${file}: ${target} does not exist`);
    }
  }
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /come next/, 'the README must not call built parts future');
});
