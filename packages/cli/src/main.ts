import { AgentError } from '@stampede/agent';
import { EngineError } from '@stampede/engine';
import { UsageError } from './cli-error.ts';
import { agentCommand } from './commands/agent.ts';
import { experimentCommand } from './commands/experiment.ts';
import { generatorsCommand } from './commands/generators.ts';
import { runCommand, RUN_USAGE } from './commands/run.ts';
import { runsCommand } from './commands/runs.ts';
import { serverCommand } from './commands/server.ts';
import { tokensCommand } from './commands/tokens.ts';
import { ApiCallError } from './remote/api-client.ts';
import { EXIT, exitCodeFor, exitCodeForApiStatus } from './exit-codes.ts';
import { VERSION } from './version.ts';

const USAGE = `stampede ${VERSION}: load testing

Usage:
  stampede run <test.ts|test.js|test.yaml|test.json> [flags]
  stampede run --url URL [--vus N --duration D | --iterations N | --rate R --duration D] [flags]
  stampede run <file> --server URL [--generators N]   run it on a controller's generators
  stampede server [--port N] [--data-dir DIR]  the controller
  stampede agent --controller URL --join-token T   a load generator
  stampede runs list|show|abort            runs on a controller
  stampede experiment A.ts [B.ts]          A vs B interleaved on a controller, compared run by run
  stampede generators list|terminate       the controller's load generators
  stampede tokens create|list|revoke       API and agent join tokens
  stampede version

Run "stampede run --help" for the flags.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'server':
      return serverCommand(rest);
    case 'agent':
      return agentCommand(rest);
    case 'runs':
      return runsCommand(rest);
    case 'experiment':
      return experimentCommand(rest);
    case 'generators':
      return generatorsCommand(rest);
    case 'tokens':
      return tokensCommand(rest);
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
    process.stderr.write(`error: ${error.message}\n\n${error.usage ?? RUN_USAGE}\n`);
    process.exitCode = EXIT.badInput;
  } else if (error instanceof ApiCallError) {
    process.stderr.write(`error: ${error.message}${issuesText(error.details)} [${error.code}]\n`);
    process.exitCode = exitCodeForApiStatus(error.status, error.code);
  } else if (error instanceof AgentError) {
    // `stampede agent` could not start or gave up (enrollment refused, identity expired, …).
    process.stderr.write(`error: ${error.message} [${error.code}]\n`);
    process.exitCode = error.code === 'INVALID_OPTIONS' ? EXIT.badInput : EXIT.error;
  } else if (error instanceof EngineError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = exitCodeFor(error.code);
  } else {
    process.stderr.write(`internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT.error;
  }
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

// Sockets or timers left by a script must not keep a finished run alive.
setTimeout(() => process.exit(), 200).unref();
