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
