import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricRegistry } from '../metrics/registry.ts';
import { MetricTotals } from '../metrics/totals.ts';
import { summaryEndpoints, urlTemplate } from './endpoints.ts';

test('urlTemplate drops the query and replaces numeric, uuid and long hex segments', () => {
  assert.equal(urlTemplate('http://h:1/users/42?x=1#f'), 'http://h:1/users/{id}');
  assert.equal(
    urlTemplate('https://h/o/123e4567-e89b-12d3-a456-426614174000/items/0123456789abcdef0'),
    'https://h/o/{id}/items/{id}',
  );
  assert.equal(urlTemplate('http://h/v2/users'), 'http://h/v2/users');
});

test('summaryEndpoints caps the rows and counts the rest', () => {
  const registry = new MetricRegistry();
  for (let i = 0; i < 5; i++) {
    const tags = { name: `ep${i}`, method: 'GET', status: '200', expected_response: 'true' };
    registry.series('http_reqs', tags).add(i + 1);
    registry.series('http_req_duration', tags).add(10);
  }
  const totals = new MetricTotals();
  totals.add(registry.snapshot('w0', 0, 0, 1000, []));
  const { endpoints, omitted } = summaryEndpoints(totals, 1000, 3);
  assert.deepEqual(
    endpoints.map((e) => [e.name, e.requests]),
    [
      ['ep4', 5],
      ['ep3', 4],
      ['ep2', 3],
    ],
  );
  assert.equal(omitted, 2);
  assert.equal(endpoints[0]?.ratePerSec, 5);
});
