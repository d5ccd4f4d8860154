/** Stable error codes of the store; the controller maps them to HTTP statuses once. */
export type StoreErrorCode =
  | 'NOT_FOUND' // the id, hash or name does not exist
  | 'CONFLICT' // a duplicate, an already used token, a job leased by someone else, not enough generators
  | 'INVALID_STATE' // the row exists but its state forbids the operation (CAS failure, expired token)
  | 'INVALID_INPUT' // the arguments are malformed (bad JSON, unknown status, negative count)
  | 'UNAVAILABLE' // the database cannot be reached or is busy
  | 'SCHEMA_TOO_NEW' // the database was migrated by a newer version of Stampede
  | 'INTERNAL';

/** The store's error: a stable code, a message for people, and details such as the id involved. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly details: Record<string, unknown>;
  constructor(
    code: StoreErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
    this.details = details;
  }
}

/** Whether `err` is a StoreError, optionally with the given code. */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
