// Enrollment and renewal: a single-use join token (or the current client certificate) buys a
// short-lived client certificate whose agent id is the generator's id.
import {
  ENROLL_PROTOCOL_VERSION,
  type EnrollRequest,
  type EnrollResponse,
  type RenewRequest,
} from '@stampede/protocol';
import { isStoreError, type Generator, type JoinToken } from '@stampede/store';
import { ApiError } from '../api/errors.ts';
import { hashToken } from '../ca/index.ts';
import type { ControllerServices } from '../services.ts';
import type { AgentEvents } from './agent-events.ts';

/** Settings of enrollment. */
export interface EnrollmentOptions {
  /** Validity of issued client certificates, ms (default: the CA's, 1 hour). */
  certValidityMs?: number;
}

async function redeem(services: ControllerServices, joinToken: string): Promise<JoinToken> {
  try {
    return await services.store.consumeJoinToken(hashToken(joinToken));
  } catch (err) {
    if (isStoreError(err, 'NOT_FOUND')) throw new ApiError('INVALID_TOKEN', 'unknown join token');
    if (isStoreError(err, 'CONFLICT')) {
      throw new ApiError('TOKEN_USED', 'join token was already used');
    }
    if (isStoreError(err, 'INVALID_STATE')) {
      throw new ApiError('TOKEN_EXPIRED', 'join token has expired');
    }
    throw err;
  }
}

/**
 * Frees the name of a generator that enrolls again (an agent restarted with a new data
 * directory): the old one is retired and its certificate revoked, unless it is busy with a run.
 */
async function freeName(services: ControllerServices, name: string): Promise<void> {
  const { store } = services;
  const same = (await store.listGenerators()).filter((g) => g.name === name);
  for (const old of same) {
    if (old.status === 'assigned') {
      throw new ApiError('CONFLICT', `generator ${name} is busy with run ${old.runId ?? '?'}`, {
        generatorId: old.id,
      });
    }
    await store.setGeneratorStatus(old.id, [old.status], 'terminated');
    if (old.certSerial !== null) await store.revokeCertificate(old.certSerial);
  }
}

/** Redeems the join token, registers the generator and signs its CSR. */
export async function enroll(
  services: ControllerServices,
  events: AgentEvents,
  body: EnrollRequest,
  options: EnrollmentOptions = {},
): Promise<{ response: EnrollResponse; generator: Generator }> {
  const token = await redeem(services, body.joinToken);
  const placement = events.placement(token);
  await freeName(services, body.agentName);
  const created = await services.store.createGenerator({
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
    // The token is spent either way: it proved identity once, and a bad CSR is a bad agent.
    await services.store.setGeneratorStatus(created.id, ['idle'], 'terminated');
    throw err;
  }
  const generator = await services.store.setGeneratorCertSerial(created.id, issued.serial);
  await services.store.appendAudit({
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
