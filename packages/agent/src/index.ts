export * from './enroll/index.ts';
export { startAgent, type AgentOptions, type AgentHandle } from './agent.ts';
export { AgentError, isAgentError, type AgentErrorCode } from './errors.ts';
export type { AgentLog, LogLevel } from './log.ts';
export { IDENTITY_FILES, certFingerprint } from './identity.ts';
