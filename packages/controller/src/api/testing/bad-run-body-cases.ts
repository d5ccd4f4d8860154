// The bad bodies of `POST /api/v1/runs` in the bad-input suite, one per way a field can be wrong.
import type { BadCase } from './bad-input-cases.ts';

/** A SHA-256 no archive has. */
export const SHA = 'b'.repeat(64);

/** Bad run-creation bodies, given the sha256 of an archive that exists. */
export function badRunBodyCases(a: string): BadCase[] {
  const run = (json: unknown, says: string, code = 'INVALID_REQUEST', status = 400): BadCase => ({
    name: `POST /runs ${JSON.stringify(json).slice(0, 60)}`,
    method: 'POST',
    url: '/api/v1/runs',
    json,
    status,
    code,
    says,
  });
  return [
    run({}, 'body.archiveSha256: is required'),
    run({ archiveSha256: 123 }, 'body.archiveSha256'),
    run({ archiveSha256: 'xyz' }, 'body.archiveSha256: must be 64 lowercase hex'),
    run({ archiveSha256: a, generators: 'two' }, 'body.generators'),
    run({ archiveSha256: a, generators: 0 }, 'body.generators'),
    run({ archiveSha256: a, generators: 1.5 }, 'body.generators'),
    run({ archiveSha256: a, overrides: { vus: -1 } }, 'body.overrides.vus'),
    run(
      { archiveSha256: a, overrides: { stages: [{ duration: 1, target: -1 }] } },
      'body.overrides.stages[0].target',
    ),
    run({ archiveSha256: a, overrides: 'fast' }, 'body.overrides'),
    run(
      { archiveSha256: a, overrides: { ratePerSec: 5 } },
      'body.overrides.durationMs: ratePerSec needs',
    ),
    run({ archiveSha256: a, env: { 'BAD NAME': 'x' } }, 'body.env'),
    run({ archiveSha256: a, env: { OK: 1 } }, 'body.env.OK'),
    run({ archiveSha256: a, labels: { team: 7 } }, 'body.labels.team'),
    run({ archiveSha256: a, pool: '' }, 'body.pool'),
    run({ archiveSha256: a, pool: 'eu\u0000west' }, 'body.pool: must not contain control'),
    run({ archiveSha256: a, colour: 'red' }, 'unknown field "colour"'),
    run([a], 'body'),
    run(null, 'body'),
    run({ archiveSha256: SHA }, SHA, 'ARCHIVE_NOT_FOUND', 404),
    run({ archiveSha256: a, generators: 99 }, 'body.generators: 99 exceeds', 'CAP_EXCEEDED', 422),
    run({ archiveSha256: a, projectId: 'prj_unknown' }, 'prj_unknown', 'NOT_FOUND', 404),
  ];
}
