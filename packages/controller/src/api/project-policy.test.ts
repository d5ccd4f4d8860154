import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetChecker } from '@stampede/engine/results';
import {
  NOTHING_ALLOWED,
  effectivePolicy,
  intersectTargets,
  projectTargets,
  runtimeAllowList,
} from './project-policy.ts';

const INSTALLATION = {
  allowTargets: ['api.example.com', 'shop.example.com:8443', '[::2]:80'],
  allowLoopback: true,
  maxGenerators: 4,
  maxDurationMs: 60_000,
  maxRatePerSec: 100,
};
const PROJECT = { id: 'prj_x', name: 'x', createdAtMs: 0 };

test('intersection: host meets host:port, loopback meets loopback hosts, ports must agree', () => {
  const got = intersectTargets(
    INSTALLATION,
    projectTargets([
      'API.example.com:443',
      'shop.example.com',
      'shop.example.com:9999',
      '127.0.0.1:8080',
      'localhost',
      '::2',
      'other.example.com',
    ]),
  );
  assert.deepEqual(got, {
    allowTargets: [
      'api.example.com:443',
      'shop.example.com:8443',
      '127.0.0.1:8080',
      'localhost',
      '[::2]:80',
    ],
    allowLoopback: false,
  });
  assert.deepEqual(intersectTargets(INSTALLATION, projectTargets(['loopback'])), {
    allowTargets: [],
    allowLoopback: true,
  });
  assert.deepEqual(
    intersectTargets({ ...INSTALLATION, allowLoopback: false }, projectTargets(['127.0.0.1:1'])),
    { allowTargets: [], allowLoopback: false },
  );
});

test('the runtime list is what the load workers enforce; an empty intersection refuses every URL', () => {
  const none = runtimeAllowList({ allowTargets: [], allowLoopback: false });
  assert.deepEqual(none, [NOTHING_ALLOWED]);
  const check = targetChecker(none);
  assert.ok(check !== undefined);
  for (const url of ['http://127.0.0.1:1/', 'https://api.example.com/', 'http://[::1]/']) {
    assert.notEqual(check(new URL(url)), null, url);
  }
  const one = targetChecker(
    runtimeAllowList(intersectTargets(INSTALLATION, projectTargets(['127.0.0.1:8080']))),
  );
  assert.equal(one?.(new URL('http://127.0.0.1:8080/x')), null);
  assert.notEqual(one?.(new URL('http://127.0.0.1:8081/x')), null);
  assert.notEqual(one?.(new URL('http://localhost:8080/x')), null);
});

test('effective policy: no own list inherits the installation; caps are the lower, with their source', () => {
  const inherit = effectivePolicy(PROJECT, null, INSTALLATION);
  assert.equal(inherit.restricted, false);
  assert.deepEqual(runtimeAllowList(inherit.targets), [...INSTALLATION.allowTargets, 'loopback']);
  assert.deepEqual(inherit.caps.maxGenerators, { limit: 4, source: 'installation' });
  const own = effectivePolicy(
    PROJECT,
    {
      projectId: PROJECT.id,
      allowTargets: [],
      maxGenerators: 9,
      maxDurationMs: 1_000,
      maxRatePerSec: null,
      updatedBy: 'a',
      updatedAtMs: 0,
    },
    INSTALLATION,
  );
  assert.equal(own.restricted, false, 'an empty list inherits');
  assert.deepEqual(own.caps, {
    maxGenerators: { limit: 4, source: 'installation' },
    maxDurationMs: { limit: 1_000, source: 'project' },
    maxRatePerSec: { limit: 100, source: 'installation' },
  });
});
