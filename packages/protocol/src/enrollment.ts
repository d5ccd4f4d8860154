// Enrollment wire format between agents and the controller (join token + CSR → certificate).
import { z } from 'zod';

/** Version of the enrollment messages; bumped on incompatible changes. */
export const ENROLL_PROTOCOL_VERSION = 1;

/** Body of `POST /agent/v1/enroll` (no client certificate yet; the join token is the proof). */
export const EnrollRequestSchema = z.strictObject({
  protocolVersion: z.literal(ENROLL_PROTOCOL_VERSION),
  joinToken: z.string().regex(/^stj_[A-Za-z0-9_-]{43}$/),
  agentName: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/),
  csrPem: z
    .string()
    .min(1)
    .max(16 * 1024),
});
/** Body of an enrollment request. */
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

/** Body of `POST /agent/v1/renew` (over mutual TLS with the current certificate; no token). */
export const RenewRequestSchema = z.strictObject({
  protocolVersion: z.literal(ENROLL_PROTOCOL_VERSION),
  csrPem: z
    .string()
    .min(1)
    .max(16 * 1024),
});
/** Body of a renewal request. */
export type RenewRequest = z.infer<typeof RenewRequestSchema>;

/** Answer to enrollment and renewal: the certificate, the CA to trust, and times in Unix epoch ms. */
export const EnrollResponseSchema = z.strictObject({
  protocolVersion: z.literal(ENROLL_PROTOCOL_VERSION),
  agentId: z.string().min(1).max(64),
  certPem: z.string().min(1),
  caPem: z.string().min(1),
  serial: z.string().regex(/^[0-9a-f]+$/),
  issuedAtMs: z.number().int().nonnegative(),
  notAfterMs: z.number().int().nonnegative(),
});
/** Body of an enrollment or renewal answer. */
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;
