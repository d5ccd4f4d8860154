// A run must name a pool that can serve it: refusing an unknown pool at once beats a run that
// waits in provisioning and is aborted a minute later.
import { ApiError } from './errors.ts';
import type { ControllerServices } from '../services.ts';
import { LOCAL_POOL, STATIC_POOL, placementOf } from '../pool/join-placement.ts';

/**
 * Throws POOL_NOT_FOUND (422) unless `pool` is the default pool, a
 * built-in one (local, static), has a generator that is not retired, or an unused join token
 * that will put an agent in it.
 */
export async function assertPoolKnown(
  services: Pick<ControllerServices, 'store' | 'config' | 'clock'>,
  pool: string,
): Promise<void> {
  const { store, config, clock } = services;
  if (pool === config.defaultPool || pool === LOCAL_POOL || pool === STATIC_POOL) return;
  if ((await store.listGenerators({ pool })).length > 0) return;
  const nowMs = clock.nowMs();
  const pending = (await store.listJoinTokens()).some(
    (t) =>
      t.usedAtMs === null && t.expiresAtMs > nowMs && placementOf(t, () => false).pool === pool,
  );
  if (pending) return;
  const known = new Set<string>([config.defaultPool, LOCAL_POOL, STATIC_POOL]);
  for (const g of await store.listGenerators()) known.add(g.pool);
  const names = [...known].sort().slice(0, 20);
  throw new ApiError(
    'POOL_NOT_FOUND',
    `body.pool: no pool ${JSON.stringify(pool)} (no generator and no unused join token names it; known: ${names.join(', ')})`,
    { pool, knownPools: names },
  );
}
