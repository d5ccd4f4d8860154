// Which pool an enrolling agent joins, read from the join token it redeemed: tokens minted by the
// local pool make `local` generators; any other token makes a `static` one, in the pool named
// by the token's name prefix `<pool>/…` (pool `static` when the name has no prefix).
import type { JoinToken } from '@stampede/store';
import type { Placement } from '../agents/agent-events.ts';

/** The pool static agents join when their token names none. */
export const STATIC_POOL = 'static';
/** The name of the local pool (child processes of the controller). */
export const LOCAL_POOL = 'local';

const POOL_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The join token name that sends agents to `pool`: `<pool>/<label>`. */
export function joinTokenName(pool: string, label: string): string {
  return `${pool}/${label}`;
}

/**
 * Where an agent with `token` goes; `isLocalToken` says whether the local pool minted it. A
 * static token cannot name the local pool: only the controller's own processes are local.
 */
export function placementOf(token: JoinToken, isLocalToken: (hash: string) => boolean): Placement {
  if (isLocalToken(token.tokenHash)) return { pool: LOCAL_POOL, kind: 'local' };
  const slash = token.name.indexOf('/');
  const named = slash > 0 ? token.name.slice(0, slash) : '';
  const pool = POOL_NAME.test(named) && named !== LOCAL_POOL ? named : STATIC_POOL;
  return { pool, kind: 'static' };
}
