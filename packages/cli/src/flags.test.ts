import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  durationFlag,
  headerFlags,
  intFlag,
  keyValueFlags,
  labelFlags,
  outFlags,
  positiveFlag,
  stagesFlag,
} from './flags.ts';

test('flag values parse and bad ones name the flag', () => {
  assert.equal(intFlag('vus', '10', 1), 10);
  assert.equal(intFlag('vus', undefined), undefined);
  assert.throws(() => intFlag('vus', 'abc', 1), /--vus: expected an integer >= 1, got "abc"/);
  assert.throws(() => intFlag('vus', '0', 1), /--vus/);
  assert.equal(positiveFlag('rate', '12.5'), 12.5);
  assert.throws(() => positiveFlag('rate', '-1'), /--rate: expected a number > 0/);
  assert.equal(durationFlag('duration', '1m30s'), 90_000);
  assert.throws(() => durationFlag('duration', '5x'), /--duration: invalid duration "5x"/);
  assert.throws(
    () => durationFlag('duration', '30'),
    /--duration: invalid duration "30": a duration needs a unit; did you mean "30s"/,
  );
  assert.throws(() => stagesFlag('10:5'), /--stages: stage 1: invalid duration "10".*"10s"/);
  assert.deepEqual(stagesFlag('10s:5,1m:0'), [
    { duration: 10_000, target: 5 },
    { duration: 60_000, target: 0 },
  ]);
  assert.throws(() => stagesFlag('10s'), /--stages: stage 1 "10s"/);
  assert.deepEqual(keyValueFlags('env', ['A=1', 'B=x=y']), { A: '1', B: 'x=y' });
  assert.throws(() => keyValueFlags('env', ['A']), /--env: expected KEY=VALUE/);
  assert.deepEqual(headerFlags(['X-A: b', 'Accept:text/plain']), {
    'X-A': 'b',
    Accept: 'text/plain',
  });
  assert.throws(() => headerFlags(['nope']), /--header/);
  assert.deepEqual(outFlags(['json=out.ndjson']), { ndjsonPath: 'out.ndjson' });
  assert.throws(() => outFlags(['csv=x']), /--out: expected json=FILE or html=FILE/);
  assert.deepEqual(outFlags(['json=a.ndjson', 'html=r.html']), {
    ndjsonPath: 'a.ndjson',
    htmlPath: 'r.html',
  });
  assert.throws(() => outFlags(['html=-']), /needs a file/);
  assert.throws(() => outFlags(['json=-', 'html=r.html']), /give --out json= a file/);
});

test('--label keys follow the controller rule and bad ones name the flag', () => {
  assert.deepEqual(labelFlags(['branch=main', 'commit=a=b']), { branch: 'main', commit: 'a=b' });
  assert.deepEqual(labelFlags(undefined), {});
  assert.throws(() => labelFlags(['has space=x']), /--label: key "has space"/);
  assert.throws(() => labelFlags(['novalue']), /--label: expected KEY=VALUE/);
});
