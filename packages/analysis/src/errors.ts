/** Stable error codes of the analysis package; the CLI maps every one to exit 2, the controller to HTTP 400. */
export type AnalysisErrorCode =
  | 'TEST_MISMATCH' // the runs compared are of different tests (scenario sets differ)
  | 'METRIC_SET_MISMATCH' // a metric series is in every run of one side and in no run of the other
  | 'UNKNOWN_METRIC' // a selected metric (or metric:statistic) is in no run; details.available lists what is
  | 'INVALID_INPUT'; // bad options or data (negative min effect, alpha outside (0, 0.5), a corrupt histogram)

/** The analysis error: a stable code, a message for people, and details (the names involved). */
export class AnalysisError extends Error {
  readonly code: AnalysisErrorCode;
  readonly details: Record<string, unknown>;
  constructor(
    code: AnalysisErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AnalysisError';
    this.code = code;
    this.details = details;
  }
}

/** Whether `err` is an AnalysisError, optionally with the given code. */
export function isAnalysisError(err: unknown, code?: AnalysisErrorCode): err is AnalysisError {
  return err instanceof AnalysisError && (code === undefined || err.code === code);
}
