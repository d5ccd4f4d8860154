/** Stable error codes of the engine; the CLI maps them to exit codes once (docs/exit-codes.md). */
export type EngineErrorCode =
  | 'SCRIPT_SYNTAX' // the script does not compile or bundle
  | 'SCRIPT_INIT' // the script threw while loading (init code)
  | 'SCRIPT_SETUP' // setup() or teardown() threw or timed out
  | 'INVALID_OPTIONS' // options fail validation
  | 'INVALID_INPUT' // bad CLI flags or a bad data/declarative file
  | 'INTERNAL';

/** The engine's error: a stable code, a message for people, and details (such as the option path). */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: EngineErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}
