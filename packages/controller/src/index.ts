export * from './ca/index.ts';
export type * from './services.ts';
export {
  buildApp,
  JSON_BODY_LIMIT_BYTES,
  type AppTlsOptions,
  type BuildAppOptions,
} from './app.ts';
export {
  API_ROUTES,
  ApiError,
  HTTP_STATUS_BY_CODE,
  RUN_JOB_KIND,
  isTargetAllowed,
  scanScriptTargets,
  toErrorReply,
  type RunJobPayload,
  type TargetPolicy,
} from './api/index.ts';
export { startController, type RunningController, type StartControllerOptions } from './server.ts';
export {
  createControllerCore,
  type ControllerCore,
  type CoreOptions,
} from './scheduler/controller-core.ts';
export { agentRoutes, type AgentRoutesDeps } from './agents/agent-routes.ts';
export {
  defaultLocalAgentCommand,
  cliAgentCommand,
  type LocalAgentCommand,
  type LocalAgentLaunch,
} from './pool/local-pool.ts';
export { LOCAL_POOL, STATIC_POOL, joinTokenName } from './pool/join-placement.ts';
export { DEFAULT_RUN_TIMEOUTS, type RunTimeouts } from './scheduler/scheduler-config.ts';
