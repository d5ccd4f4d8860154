// Test archives: the bundled script and its data files, uploaded once and stored as a
// content-addressed bundle; runs refer to them by SHA-256.
import { archiveInfoSchema, sha256ParamsSchema } from '@stampede/protocol';
import { inspectUpload } from './archive-work.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';

/** Header carrying the SHA-256 the client computed over the archive bytes (optional, checked). */
export const SHA256_HEADER = 'x-stampede-sha256';

function expectedSha256(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^[0-9a-fA-F]{64}$/.test(value.trim())) {
    throw new ApiError('INVALID_REQUEST', `${SHA256_HEADER}: must be 64 hex characters`, {
      issues: [{ path: `headers.${SHA256_HEADER}`, message: 'must be 64 hex characters' }],
    });
  }
  return value.trim().toLowerCase();
}

/** Routes of /api/v1/archives. */
export const archiveRoutes: readonly ApiRoute[] = [
  defineRoute({
    method: 'POST',
    url: '/archives',
    operationId: 'uploadArchive',
    summary: 'Upload a test archive (application/octet-stream: the JSON of a TestArchive)',
    tag: 'archives',
    scope: 'run',
    binaryBody: true,
    bodyLimitBytes: (services) => services.config.maxArchiveBytes,
    status: 201,
    response: archiveInfoSchema,
    errors: [400, 413, 415, 422],
    async handler({ services, request, reply }) {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw new ApiError('INVALID_REQUEST', 'body: the archive bytes are required', {
          issues: [{ path: 'body', message: 'is required' }],
        });
      }
      const expected = expectedSha256(request.headers[SHA256_HEADER]);
      // Hashing and parsing megabytes run in a worker thread: heartbeats keep being answered.
      const inspected = await inspectUpload(body);
      const actual = inspected.sha256;
      if (expected !== undefined && expected !== actual) {
        throw new ApiError(
          'SHA256_MISMATCH',
          `${SHA256_HEADER}: ${expected} does not match the body's SHA-256 ${actual}`,
          { expected, actual },
        );
      }
      inspected.assertArchive();
      const stored = await services.store.putBundle(body, actual);
      if (!stored.created) reply.code(200);
      return {
        sha256: stored.sha256,
        sizeBytes: stored.sizeBytes,
        createdAtMs: stored.createdAtMs,
        created: stored.created,
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/archives/:sha256',
    operationId: 'getArchive',
    summary: 'Whether an archive is stored, with its size (not its bytes)',
    tag: 'archives',
    scope: 'read',
    params: sha256ParamsSchema,
    response: archiveInfoSchema,
    errors: [400, 404],
    async handler({ params, services }) {
      const info = await services.store.getBundleInfo(params.sha256);
      if (info === null) {
        throw new ApiError('ARCHIVE_NOT_FOUND', `no archive ${params.sha256}`, {
          sha256: params.sha256,
        });
      }
      return { sha256: info.sha256, sizeBytes: info.sizeBytes, createdAtMs: info.createdAtMs };
    },
  }),
];
