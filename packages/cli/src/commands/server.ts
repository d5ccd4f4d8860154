import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliAgentCommand, startController } from '@stampede/controller';
import { parseDurationMs } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';
import { adminTokenLines, checkAdminTokenEnv } from './admin-token.ts';

/** Help text of `stampede server`. */
export const SERVER_USAGE = `Usage: stampede server [flags]

Starts the controller: REST API, embedded store, queue, scheduler, certificate authority and a
local pool of generator processes. Prints its URL; the admin API token is shown once, on the
first start, on the terminal (or, when stdout is not one, written to DATA_DIR/admin-token for
its owner only); it is never logged. STAMPEDE_ADMIN_TOKEN=sta_… set at the first start fixes it.

  --port N                TCP port (default 7070; 0 picks a free one)
  --host H                interface to listen on (default 127.0.0.1)
  --data-dir DIR          CA, SQLite database and local agents' data (default ./.stampede)
  --database URL          postgres://… to use PostgreSQL instead of SQLite
  --allow-target H[:P]    host runs may target, besides loopback (repeatable)
  --no-loopback           refuse loopback targets too
  --local-generators N    local generator processes kept warm (default: CPU cores, at least 2; 0: none)
  --default-pool NAME     pool of runs that name none (default "local"; "static" for joined agents)
  --lease D               agent lease: load stops this long after the last contact (default 10s)
  --max-generators N      cap on generators per run
  --max-duration D        cap on a run's duration
  --max-rate R            cap on a run's arrival rate, per second
  --history-p-value P     significance of history change points, in (0, 0.5) (default 0.001);
                          applies to series created from then on (docs/compare.md)`;

const CLI_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** Starts local agents with this CLI's `agent` command on this Node. */
const localAgentCommand = cliAgentCommand(CLI_MAIN);

/** `stampede server`: runs the controller until SIGINT/SIGTERM; returns the exit code. */
export async function serverCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      'allow-target': { type: 'string', multiple: true },
      'no-loopback': { type: 'boolean' },
      'local-generators': { type: 'string' },
      'default-pool': { type: 'string' },
      lease: { type: 'string' },
      'max-generators': { type: 'string' },
      'max-duration': { type: 'string' },
      'max-rate': { type: 'string' },
      'history-p-value': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    SERVER_USAGE,
    0,
  );
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${SERVER_USAGE}\n`);
    return EXIT.ok;
  }
  const port = v.port === undefined ? 7070 : wholeNumber('--port', v.port, 0, 65535);
  const dataDir = resolve(v['data-dir'] ?? '.stampede');
  checkAdminTokenEnv(process.env['STAMPEDE_ADMIN_TOKEN'], SERVER_USAGE);
  const controller = await startController({
    port,
    dataDir,
    ...(v.host === undefined ? {} : { host: v.host }),
    ...(v.database === undefined ? {} : { databaseUrl: v.database }),
    allowTargets: v['allow-target'] ?? [],
    allowLoopback: v['no-loopback'] !== true,
    ...(v['local-generators'] === undefined
      ? {}
      : { localGenerators: wholeNumber('--local-generators', v['local-generators'], 0, 1024) }),
    ...(v['default-pool'] === undefined ? {} : { defaultPool: v['default-pool'] }),
    ...(v.lease === undefined ? {} : { leaseMs: duration('--lease', v.lease) }),
    ...(v['max-generators'] === undefined
      ? {}
      : { maxGenerators: wholeNumber('--max-generators', v['max-generators'], 1, 100_000) }),
    ...(v['max-duration'] === undefined
      ? {}
      : { maxDurationMs: duration('--max-duration', v['max-duration']) }),
    ...(v['max-rate'] === undefined
      ? {}
      : { maxRatePerSec: wholeNumber('--max-rate', v['max-rate'], 1, 1e9) }),
    ...(v['history-p-value'] === undefined
      ? {}
      : { historySettings: historySettings(v['history-p-value']) }),
    localAgentCommand,
  });
  // The form agents print and --ca-fingerprint takes: lowercase hex, no colons.
  const fingerprint = new X509Certificate(readFileSync(controller.caFile)).fingerprint256
    .replace(/:/g, '')
    .toLowerCase();
  process.stdout.write(
    [
      `stampede controller listening on ${controller.url}`,
      `  data directory: ${dataDir}`,
      `  CA certificate: ${controller.caFile}`,
      `  CA fingerprint (SHA-256): ${fingerprint}`,
      ...(controller.adminToken && !process.env['STAMPEDE_ADMIN_TOKEN']
        ? adminTokenLines(controller.adminToken, dataDir, process.stdout.isTTY === true)
        : []),
      '',
      'Use it from the CLI with:',
      `  export STAMPEDE_SERVER=${controller.url} STAMPEDE_CA_FILE=${controller.caFile}`,
      `  export STAMPEDE_TOKEN=<an API token>`,
      `Agents on other machines: stampede agent --controller https://${hostname()}:${new URL(controller.url).port} --join-token <stampede tokens create --join> --ca-fingerprint ${fingerprint}`,
      `  (or --ca-file with a copy of ${controller.caFile})`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolveStop) => {
    const onSignal = (): void => {
      process.stdout.write('stopping the controller…\n');
      resolveStop();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await controller.stop();
  return EXIT.ok;
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(
      `${flag}: "${text}" must be a whole number from ${min} to ${max}`,
      SERVER_USAGE,
    );
  }
  return n;
}

/** Change-point settings for `--history-p-value`, with enough permutations to reach it. */
function historySettings(text: string): { pValue: number; permutations: number } {
  const p = /^\d*\.?\d+$/.test(text) ? Number(text) : NaN;
  if (!(p > 0 && p < 0.5)) {
    throw new UsageError(
      `--history-p-value: "${text}" must be a number in (0, 0.5), e.g. 0.001`,
      SERVER_USAGE,
    );
  }
  return { pValue: p, permutations: Math.max(999, Math.ceil(1 / p - 1)) };
}

function duration(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`${flag}: "${text}" is not a duration (e.g. 10s, 5m)`, SERVER_USAGE);
  }
  return ms;
}
