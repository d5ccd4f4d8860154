import { EngineError } from '@stampede/engine';
import { UsageError } from './cli-error.ts';
import { runCommand, RUN_USAGE } from './commands/run.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { VERSION } from './version.ts';

const USAGE = `stampede ${VERSION}: load testing

Usage:
  stampede run <test.ts|test.js|test.yaml|test.json> [flags]
  stampede run --url URL [--vus N --duration D | --iterations N | --rate R --duration D] [flags]
  stampede version

Run "stampede run --help" for the flags.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`stampede ${VERSION}\n`);
      return EXIT.ok;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    default:
      process.stderr.write(`stampede: unknown command "${command}"\n\n${USAGE}\n`);
      return EXIT.badInput;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n\n${RUN_USAGE}\n`);
    process.exitCode = EXIT.badInput;
  } else if (error instanceof EngineError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = exitCodeFor(error.code);
  } else {
    process.stderr.write(`internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT.error;
  }
}
// Sockets or timers left by a script must not keep a finished run alive.
setTimeout(() => process.exit(), 200).unref();
