// The UI's REST client: every call goes to this origin's /api/v1 with the session's bearer token.
// Answers are typed with the protocol's types (not parsed: the controller validates them).
import type { ApiErrorBody } from '@stampede/protocol';

/** A failed API call: the HTTP status (0 when the controller could not be reached) and the error body. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls `/api/v1<path>` with `token`; answers the JSON body or throws ApiFailure. */
export async function apiCall<T>(
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
  } catch {
    throw new ApiFailure(0, 'UNREACHABLE', 'the controller cannot be reached');
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const err = parsed as Partial<ApiErrorBody> | null;
    throw new ApiFailure(
      response.status,
      err?.code ?? 'HTTP_' + response.status,
      err?.message ?? `HTTP ${response.status}`,
    );
  }
  return parsed as T;
}
