// The signed-in session: the API token lives in sessionStorage only (never in a URL or a log),
// with what it may do, found by probing routes that need each scope without changing anything.
import { ApiFailure, apiCall } from './api.ts';

/** What the session's token may do: `run` starts and aborts runs, `admin` everything. */
export interface Session {
  token: string;
  canRun: boolean;
  isAdmin: boolean;
}

const KEY = 'stampede.token';
// An id no run has: the abort route checks the scope before it looks the run up (403 vs 404).
const PROBE_ID = 'ui-scope-probe';

async function allowed(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 403) return false;
    if (err instanceof ApiFailure && err.status === 404) return true;
    throw err;
  }
}

/** Checks `token` against the controller and finds its scopes; throws ApiFailure (401) when it is wrong. */
export async function signIn(token: string): Promise<Session> {
  await apiCall(token, 'GET', '/runs?limit=1');
  const [canRun, isAdmin] = await Promise.all([
    allowed(apiCall(token, 'POST', `/runs/${PROBE_ID}/abort`)),
    allowed(apiCall(token, 'GET', '/tokens')),
  ]);
  sessionStorage.setItem(KEY, token);
  return { token, canRun: canRun || isAdmin, isAdmin };
}

/** The token kept by an earlier sign-in in this tab, if any. */
export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

/** Forgets the token. */
export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
