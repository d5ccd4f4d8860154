/** Process exit codes of the CLI (docs/exit-codes.md); 99 matches k6's "thresholds failed". */
export const EXIT = {
  ok: 0,
  error: 1,
  badInput: 2,
  thresholdsFailed: 99,
  interrupted: 105,
  scriptError: 107,
} as const;

/** Exit code for an engine error code. */
export function exitCodeFor(code: string): number {
  switch (code) {
    case 'SCRIPT_SYNTAX':
    case 'INVALID_OPTIONS':
    case 'INVALID_INPUT':
      return EXIT.badInput;
    case 'SCRIPT_INIT':
    case 'SCRIPT_SETUP':
      return EXIT.scriptError;
    default:
      return EXIT.error;
  }
}

/** Exit code for a failed controller call: bad input (a 4xx other than auth, or a bad flag) is 2, the rest 1. */
export function exitCodeForApiStatus(status: number, code: string): number {
  if (code === 'INVALID_INPUT') return EXIT.badInput;
  if (status === 401 || status === 403) return EXIT.error;
  return status >= 400 && status < 500 ? EXIT.badInput : EXIT.error;
}
