// Output targets are checked before the first request: a bad --summary-json or --out path exits
// 2 naming the flag and the path, and nothing reaches the target; "-" writes to stdout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { summarySchema, intervalSnapshotSchema } from '@stampede/protocol';
import {
  describeResult,
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

const quick = (path: string): string[] => [
  'run',
  '--url',
  `${target.url}${path}`,
  '--iterations',
  '5',
  '--workers',
  '1',
  '--quiet',
];

for (const [flag, args, shown] of [
  ['--summary-json', ['--summary-json', '/nonexistent/dir/s.json'], '/nonexistent/dir/s.json'],
  [
    '--out json',
    ['--out', 'json=/nonexistent/x/snapshots.ndjson'],
    '/nonexistent/x/snapshots.ndjson',
  ],
  ['--summary-json', ['--summary-json', '/tmp'], '/tmp'],
] as const) {
  test(`${flag} ${shown}: exit 2 naming flag and path, before any request`, async () => {
    const path = `/bad-out-${target.count()}`;
    const r = await runCli([...quick(path), ...args], { cwd: tmp.dir });
    assert.equal(r.code, 2, describeResult(r));
    assert.ok(r.stderr.includes(flag), `names ${flag}:\n${r.stderr}`);
    assert.ok(r.stderr.includes(shown), `names ${shown}:\n${r.stderr}`);
    assert.equal(target.count(path), 0, 'requests reached the target');
  });
}

test('--summary-json -: the JSON on stdout, the text summary on stderr', async () => {
  const r = await runCli([...quick('/dash-summary'), '--summary-json', '-'], { cwd: tmp.dir });
  assert.equal(r.code, 0, describeResult(r));
  const summary = summarySchema.parse(JSON.parse(r.stdout));
  assert.equal(summary.metrics['http_reqs']?.type, 'counter');
  assert.match(r.stderr, /http_reqs/, 'text summary on stderr');
});

test('--out json=-: one snapshot per stdout line, the text summary on stderr', async () => {
  const r = await runCli([...quick('/dash-out'), '--out', 'json=-'], { cwd: tmp.dir });
  assert.equal(r.code, 0, describeResult(r));
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length >= 1, describeResult(r));
  for (const line of lines) intervalSnapshotSchema.parse(JSON.parse(line));
  assert.match(r.stderr, /http_reqs/, 'text summary on stderr');
});
