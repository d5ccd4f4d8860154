/** Stable error codes of the certificate authority, join tokens and API tokens. */
export type CaErrorCode =
  | 'INVALID_CSR' // the CSR does not parse, its signature does not verify, or its key type is refused
  | 'INVALID_AGENT_ID' // the agent id is empty, too long or has characters outside [A-Za-z0-9._-]
  | 'INVALID_VALIDITY' // validityMs is not a positive finite number
  | 'INVALID_CA' // the persisted CA certificate or key is unusable
  | 'INVALID_HOSTS' // a server certificate was requested for no host names
  | 'INVALID_TOKEN' // a token is malformed or unknown
  | 'TOKEN_USED' // a single-use join token was already redeemed
  | 'TOKEN_EXPIRED' // a join token is past its expiry
  | 'CERT_INVALID' // a client certificate does not parse or lacks clientAuth / an agent identity
  | 'CERT_UNKNOWN_CA' // a client certificate was not issued by this CA
  | 'CERT_NOT_YET_VALID' // a client certificate's notBefore is in the future
  | 'CERT_EXPIRED' // a client certificate's notAfter has passed
  | 'CERT_REVOKED'; // a client certificate's serial is revoked

/** The CA's error: a stable code, a message for people, and details safe to log. */
export class CaError extends Error {
  readonly code: CaErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: CaErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CaError';
    this.code = code;
    this.details = details;
  }
}
