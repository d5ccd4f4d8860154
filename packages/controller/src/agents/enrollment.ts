// Enrollment and renewal: a single-use join token (or the current client certificate) buys a
// short-lived client certificate whose agent id is the generator's id.
import {
  ENROLL_PROTOCOL_VERSION,
  type EnrollRequest,
  type EnrollResponse,
  type RenewRequest,
} from '@stampede/protocol';
import {
  StoreError,
  isStoreError,
  type Generator,
  type GeneratorStatus,
  type JoinToken,
} from '@stampede/store';
import { ApiError } from '../api/errors.ts';
import { hashToken } from '../ca/index.ts';
import type { ControllerServices } from '../services.ts';
import type { AgentEvents } from './agent-events.ts';

/** Settings of enrollment. */
export interface EnrollmentOptions {
  /** Validity of issued client certificates, ms (default: the CA's, 1 hour). */
  certValidityMs?: number;
}

function tokenError(err: unknown): unknown {
  if (isStoreError(err, 'NOT_FOUND')) return new ApiError('INVALID_TOKEN', 'unknown join token');
  if (isStoreError(err, 'CONFLICT'))
    return new ApiError('TOKEN_USED', 'join token was already used');
  if (isStoreError(err, 'INVALID_STATE'))
    return new ApiError('TOKEN_EXPIRED', 'join token has expired');
  return err;
}

/** The join token, checked unused and unexpired but not spent yet (nothing changes). */
async function findRedeemable(services: ControllerServices, joinToken: string): Promise<JoinToken> {
  const hash = hashToken(joinToken);
  const token = (await services.store.listJoinTokens()).find((t) => t.tokenHash === hash);
  if (token === undefined) throw tokenError(new StoreError('NOT_FOUND', 'unknown join token'));
  if (token.usedAtMs !== null) throw tokenError(new StoreError('CONFLICT', 'used'));
  if (services.clock.nowMs() >= token.expiresAtMs) {
    throw tokenError(new StoreError('INVALID_STATE', 'expired'));
  }
  return token;
}

/** Generators that still hold a name: an enrollment under it is a clash, never a takeover. */
const LIVE_STATUSES: readonly GeneratorStatus[] = ['idle', 'assigned', 'suspect', 'terminating'];

/**
 * Checks that `name` is free for a generator of `pool`: a live generator of that name (any pool)
 * is a CONFLICT; a lost one of another pool too, since a token may only touch its own pool.
 * Returns the lost generators of `pool` under that name, which the enrollment retires.
 */
async function namesakesToRetire(
  services: ControllerServices,
  name: string,
  pool: string,
): Promise<Generator[]> {
  const same = (await services.store.listGenerators()).filter((g) => g.name === name);
  for (const old of same) {
    if (LIVE_STATUSES.includes(old.status) || old.pool !== pool) {
      throw new ApiError(
        'CONFLICT',
        `body.agentName: generator ${name} exists (${old.id}, ${old.status}, pool ${old.pool}); ` +
          'pick another name, or terminate it first',
        { generatorId: old.id, status: old.status, pool: old.pool },
      );
    }
  }
  return same;
}

/**
 * Redeems the join token, registers the generator and signs its CSR. Everything that can refuse
 * (CSR, token, name, pool) is checked before anything changes, so a refused enrollment spends
 * no token and touches no generator.
 */
export async function enroll(
  services: ControllerServices,
  events: AgentEvents,
  body: EnrollRequest,
  options: EnrollmentOptions = {},
): Promise<{ response: EnrollResponse; generator: Generator }> {
  const { store } = services;
  await services.ca.checkClientCsr(body.csrPem);
  const placement = events.placement(await findRedeemable(services, body.joinToken));
  const lost = await namesakesToRetire(services, body.agentName, placement.pool);
  // The token is spent atomically: of two racing enrollments one gets TOKEN_USED here.
  let token: JoinToken;
  try {
    token = await store.consumeJoinToken(hashToken(body.joinToken));
  } catch (err) {
    throw tokenError(err);
  }
  for (const old of lost) {
    await store.setGeneratorStatus(old.id, ['lost'], 'terminated');
    if (old.certSerial !== null) await store.revokeCertificate(old.certSerial);
  }
  const created = await store.createGenerator({
    name: body.agentName,
    kind: placement.kind,
    pool: placement.pool,
  });
  let issued;
  try {
    issued = await services.ca.signClientCsr(body.csrPem, {
      agentId: created.id,
      ...(options.certValidityMs === undefined ? {} : { validityMs: options.certValidityMs }),
    });
  } catch (err) {
    // Only an internal failure gets here (the CSR was checked): the new row must not linger.
    await store.setGeneratorStatus(created.id, ['idle'], 'terminated');
    throw err;
  }
  const generator = await store.setGeneratorCertSerial(created.id, issued.serial);
  await store.appendAudit({
    actor: `join token ${token.name} (${token.id})`,
    action: 'generator.enroll',
    target: generator.id,
    detailsJson: JSON.stringify({
      name: generator.name,
      pool: generator.pool,
      kind: generator.kind,
    }),
  });
  events.enrolled(generator, token);
  return {
    generator,
    response: {
      protocolVersion: ENROLL_PROTOCOL_VERSION,
      agentId: generator.id,
      certPem: issued.certPem,
      caPem: services.ca.certPem,
      serial: issued.serial,
      issuedAtMs: services.clock.nowMs(),
      notAfterMs: issued.notAfterMs,
    },
  };
}

/** Signs a new CSR for an agent already identified by its current certificate. */
export async function renew(
  services: ControllerServices,
  generator: Generator,
  body: RenewRequest,
  options: EnrollmentOptions = {},
): Promise<EnrollResponse> {
  const issued = await services.ca.signClientCsr(body.csrPem, {
    agentId: generator.id,
    ...(options.certValidityMs === undefined ? {} : { validityMs: options.certValidityMs }),
  });
  await services.store.setGeneratorCertSerial(generator.id, issued.serial);
  return {
    protocolVersion: ENROLL_PROTOCOL_VERSION,
    agentId: generator.id,
    certPem: issued.certPem,
    caPem: services.ca.certPem,
    serial: issued.serial,
    issuedAtMs: services.clock.nowMs(),
    notAfterMs: issued.notAfterMs,
  };
}
