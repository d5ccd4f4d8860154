export {
  emptyResponse,
  HttpAgent,
  DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
  DEFAULT_USER_AGENT,
} from './agent.ts';
export { HttpError } from './errors.ts';
export type { HttpErrorCode } from './errors.ts';
export { MAX_HEAD_BYTES, ResponseParser } from './response-parser.ts';
export type { ResponseBodySink } from './response-parser.ts';
export type {
  CookieStore,
  HttpAgentOptions,
  HttpRequestSpec,
  HttpResponse,
  HttpTimings,
} from './types.ts';
