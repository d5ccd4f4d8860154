export * from './enroll/index.ts';
export { startAgent, type AgentOptions, type AgentHandle } from './agent.ts';
export { AgentError, isAgentError, type AgentErrorCode } from './errors.ts';
export type { AgentLog, LogLevel } from './log.ts';
export { IDENTITY_FILES, certFingerprint } from './identity.ts';
export { PARENT_GONE_EXIT_MS, PARENT_POLL_INTERVAL_MS, watchParent } from './parent-watch.ts';
