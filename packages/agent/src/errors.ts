/** Stable error codes of the agent. */
export type AgentErrorCode =
  | 'INVALID_OPTIONS' // bad startAgent options
  | 'ENROLL_FAILED' // the controller refused enrollment or renewal (token used, expired, bad CSR)
  | 'IDENTITY_EXPIRED' // the certificate expired and no join token can buy a new one
  | 'UNTRUSTED_CONTROLLER' // the controller's certificate does not match the pinned CA
  | 'HTTP_STATUS' // the controller answered with an error status
  | 'NETWORK' // no answer: connection refused, reset, TLS failure
  | 'TIMEOUT' // no answer in time
  | 'INVALID_RESPONSE' // an answer that does not match the protocol
  | 'ARCHIVE_MISMATCH' // the archive's bytes do not hash to the name asked for
  | 'NOT_PREPARED' // a start for a run this agent did not prepare
  | 'LEASE_EXPIRED' // heartbeats went unanswered for the lease: load was stopped
  | 'RUN_FAILED' // the engine failed to prepare or run the test
  | 'SPOOL' // the metric spool could not be read or written
  | 'STOPPED'; // the agent is stopping

/** The agent's error: a stable code, a message for people, details (such as the HTTP status). */
export class AgentError extends Error {
  readonly code: AgentErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: AgentErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
    this.details = details;
  }
}

/** Whether `error` is an AgentError with one of `codes`. */
export function isAgentError(error: unknown, ...codes: AgentErrorCode[]): error is AgentError {
  return error instanceof AgentError && (codes.length === 0 || codes.includes(error.code));
}
