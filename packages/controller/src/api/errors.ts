// The one place where errors become HTTP answers: API, store, CA, zod and fastify errors are
// mapped to a status and the `{ code, message, details }` body of every error answer.
import type { ApiErrorBody, ApiErrorCode, ApiIssue } from '@stampede/protocol';
import { StoreError, type StoreErrorCode } from '@stampede/store';
import type { z } from 'zod';
import { CaError, type CaErrorCode } from '../ca/index.ts';

/** An error the API answers with: a stable code (which fixes the HTTP status), a message naming the bad field, details. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
}

/** HTTP status of every API error code. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ApiErrorCode, number>> = {
  INVALID_REQUEST: 400,
  MALFORMED_JSON: 400,
  INVALID_INPUT: 400,
  MALFORMED_REQUEST: 400,
  REQUEST_TIMEOUT: 408,
  EXPECTATION_FAILED: 417,
  HEADERS_TOO_LARGE: 431,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  TOKEN_USED: 401,
  TOKEN_EXPIRED: 401,
  CERT_INVALID: 401,
  CERT_UNKNOWN_CA: 401,
  CERT_NOT_YET_VALID: 401,
  CERT_EXPIRED: 401,
  FORBIDDEN: 403,
  CERT_REVOKED: 403,
  NOT_FOUND: 404,
  ARCHIVE_NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  RUN_TERMINAL: 409,
  NO_BASELINE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_ARCHIVE: 422,
  SHA256_MISMATCH: 422,
  TARGET_NOT_ALLOWED: 422,
  CAP_EXCEEDED: 422,
  POOL_NOT_FOUND: 422,
  INVALID_CSR: 422,
  INVALID_AGENT_ID: 422,
  INVALID_VALIDITY: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

// Store and CA codes keep their name on the wire, except those that mean a bug or a broken
// installation: the caller cannot fix them, so they are INTERNAL.
const STORE_CODES: Readonly<Record<StoreErrorCode, ApiErrorCode>> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_STATE: 'INVALID_STATE',
  INVALID_INPUT: 'INVALID_INPUT',
  UNAVAILABLE: 'UNAVAILABLE',
  SCHEMA_TOO_NEW: 'INTERNAL',
  INTERNAL: 'INTERNAL',
};

const CA_CODES: Readonly<Record<CaErrorCode, ApiErrorCode>> = {
  INVALID_CSR: 'INVALID_CSR',
  INVALID_AGENT_ID: 'INVALID_AGENT_ID',
  INVALID_VALIDITY: 'INVALID_VALIDITY',
  INVALID_CA: 'INTERNAL',
  INVALID_HOSTS: 'INTERNAL',
  INVALID_TOKEN: 'INVALID_TOKEN',
  TOKEN_USED: 'TOKEN_USED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  CERT_INVALID: 'CERT_INVALID',
  CERT_UNKNOWN_CA: 'CERT_UNKNOWN_CA',
  CERT_NOT_YET_VALID: 'CERT_NOT_YET_VALID',
  CERT_EXPIRED: 'CERT_EXPIRED',
  CERT_REVOKED: 'CERT_REVOKED',
};

/** Fastify's own request errors (body parsing, limits) by their code. */
const FASTIFY_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'INVALID_REQUEST',
};

// Other errors that carry a 4xx `statusCode` (fastify's, a plugin's) keep their meaning.
const CODE_BY_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** An error answer ready to send. */
export interface ErrorReply {
  statusCode: number;
  body: ApiErrorBody;
}

/** Renders a field path as people write it: `body.overrides.stages[0].target`. */
export function formatIssuePath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) {
      out += out === '' ? key : `.${key}`;
    } else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Turns zod issues into API issues, each naming the path of the bad field under `root`. */
export function toApiIssues(issues: readonly z.core.$ZodIssue[], root: string): ApiIssue[] {
  return issues.map((issue) => {
    const path = formatIssuePath(root, issue.path);
    // Needs parsing with `reportInput: true`; without it every input looks undefined.
    if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) {
      return { path, message: 'is required' };
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues.map((i) => i.message).join(', ');
      return { path, message: `invalid key: ${inner}` };
    }
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}` };
    }
    return { path, message: issue.message };
  });
}

/** The INVALID_REQUEST error for zod issues of `root` (body, query, params). */
export function invalidRequest(issues: readonly z.core.$ZodIssue[], root: string): ApiError {
  const list = toApiIssues(issues, root);
  const message = list.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ApiError('INVALID_REQUEST', message || `${root} is invalid`, { issues: list });
}

const INTERNAL_MESSAGE = 'internal error; see the controller log';

function reply(code: ApiErrorCode, message: string, details: Record<string, unknown>): ErrorReply {
  // An internal error's message may carry SQL or paths: callers get a pointer to the log instead.
  if (code === 'INTERNAL') {
    return { statusCode: 500, body: { code, message: INTERNAL_MESSAGE, details: {} } };
  }
  return { statusCode: HTTP_STATUS_BY_CODE[code], body: { code, message, details } };
}

function isZodError(err: unknown): err is z.ZodError {
  return (
    err instanceof Error && err.name === 'ZodError' && Array.isArray(Reflect.get(err, 'issues'))
  );
}

function fastifyStatusCode(err: Error): number | undefined {
  const status = Reflect.get(err, 'statusCode');
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Maps any error thrown while serving a request to its answer; anything unexpected is a 500
 * without internals. A 5xx answer names `requestId` (message and `details.requestId`), the key
 * to its entry in the controller log.
 */
export function toErrorReply(
  err: unknown,
  bodyLimitBytes?: number,
  requestId?: string,
): ErrorReply {
  const r = mapError(err, bodyLimitBytes);
  if (r.statusCode < 500 || requestId === undefined) return r;
  const message =
    r.body.code === 'INTERNAL' ? `${INTERNAL_MESSAGE}, request ${requestId}` : r.body.message;
  return {
    statusCode: r.statusCode,
    body: { code: r.body.code, message, details: { ...r.body.details, requestId } },
  };
}

function mapError(err: unknown, bodyLimitBytes?: number): ErrorReply {
  if (err instanceof ApiError) return reply(err.code, err.message, err.details);
  if (err instanceof StoreError) return reply(STORE_CODES[err.code], err.message, err.details);
  if (err instanceof CaError) return reply(CA_CODES[err.code], err.message, err.details);
  if (isZodError(err)) {
    const e = invalidRequest(err.issues, 'body');
    return reply(e.code, e.message, e.details);
  }
  if (err instanceof Error) {
    const fstCode = Reflect.get(err, 'code');
    const mapped = typeof fstCode === 'string' ? FASTIFY_CODES[fstCode] : undefined;
    if (mapped === 'PAYLOAD_TOO_LARGE') {
      const limit = bodyLimitBytes === undefined ? '' : ` of ${bodyLimitBytes} bytes`;
      return reply(mapped, `body: larger than the limit${limit}`, {
        ...(bodyLimitBytes === undefined ? {} : { limitBytes: bodyLimitBytes }),
      });
    }
    if (mapped === 'UNSUPPORTED_MEDIA_TYPE') {
      return reply(mapped, 'body: unsupported Content-Type for this route', {});
    }
    if (mapped === 'MALFORMED_JSON') {
      return reply(mapped, 'body: not valid JSON', {});
    }
    if (mapped !== undefined) return reply(mapped, err.message, {});
    const status = fastifyStatusCode(err);
    if (status !== undefined)
      return reply(CODE_BY_STATUS[status] ?? 'INVALID_REQUEST', err.message, {});
  }
  return reply('INTERNAL', INTERNAL_MESSAGE, {});
}
