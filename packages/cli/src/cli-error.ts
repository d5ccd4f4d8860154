/** A usage error of the command line (bad flag or value): printed with the usage hint, exit 2. */
export class UsageError extends Error {
  readonly code = 'INVALID_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
