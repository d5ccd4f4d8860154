import { UsageError } from './cli-error.ts';
import { EXIT, exitCodeFor, exitCodeForApiStatus } from './exit-codes.ts';

/**
 * Prints an error that escaped a command and returns its exit code. The packages behind the
 * error classes are imported here, on failure only: a command that threw one has loaded them
 * already, and `--help` must not pay for them.
 */
export async function reportFailure(error: unknown): Promise<number> {
  if (error instanceof UsageError) {
    const usage = error.usage ?? (await import('./commands/run.ts')).RUN_USAGE;
    process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
    return EXIT.badInput;
  }
  const [{ ApiCallError }, { AgentError }, { EngineError }] = await Promise.all([
    import('./remote/api-client.ts'),
    import('@stampede/agent'),
    import('@stampede/engine'),
  ]);
  if (error instanceof ApiCallError) {
    process.stderr.write(`error: ${error.message}${issuesText(error.details)} [${error.code}]\n`);
    return exitCodeForApiStatus(error.status, error.code);
  }
  if (error instanceof AgentError) {
    // `stampede agent` could not start or gave up (enrollment refused, identity expired, …).
    process.stderr.write(`error: ${error.message} [${error.code}]\n`);
    return error.code === 'INVALID_OPTIONS' ? EXIT.badInput : EXIT.error;
  }
  if (error instanceof EngineError) {
    process.stderr.write(`error: ${error.message}\n`);
    return exitCodeFor(error.code);
  }
  process.stderr.write(`internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT.error;
}

function issuesText(details: Record<string, unknown>): string {
  const issues = details['issues'];
  if (!Array.isArray(issues)) return '';
  return issues
    .map(
      (i: { path?: unknown; message?: unknown }) => `\n  ${String(i.path)}: ${String(i.message)}`,
    )
    .join('');
}
