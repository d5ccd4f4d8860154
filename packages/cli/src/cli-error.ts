/** A usage error of the command line (bad flag or value): printed with the usage hint, exit 2. */
export class UsageError extends Error {
  readonly code = 'INVALID_INPUT';
  /** Help text of the command the error belongs to (the run command's when absent). */
  readonly usage: string | undefined;
  constructor(message: string, usage?: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}
