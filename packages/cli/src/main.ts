import { reportFailure } from './cli-failure.ts';
import { COMMANDS } from './commands.ts';
import { EXIT } from './exit-codes.ts';
import { VERSION } from './version.ts';

const USAGE = `stampede ${VERSION}: load testing

Usage:
${Object.values(COMMANDS)
  .flatMap((c) => c.usage)
  .map((line) => `  ${line}`)
  .join('\n')}
  stampede version

Run "stampede run --help" for the flags.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const entry =
    command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry) return (await entry.load())(rest);
  switch (command) {
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
  process.exitCode = await reportFailure(error);
}

// Sockets or timers left by a script must not keep a finished run alive.
setTimeout(() => process.exit(), 200).unref();
