import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { PARENT_GONE_EXIT_MS, startAgent, watchParent } from '@stampede/agent';
import { parseDurationMs } from '@stampede/protocol';
import { UsageError } from '../cli-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { EXIT } from '../exit-codes.ts';

/** Help text of `stampede agent`. */
export const AGENT_USAGE = `Usage: stampede agent --controller URL --join-token T [flags]

Starts a load generator that dials out to the controller (HTTPS with mutual TLS), runs its share
of tests and stops its load by itself when it loses the controller for longer than the lease.

  --controller URL        the controller (https://host:port)
  --join-token T          single-use join token (default: $STAMPEDE_JOIN_TOKEN); not needed when the
                          data directory holds a valid identity from an earlier enrollment
  --name NAME             generator name (default: this host's name)
  --data-dir DIR          identity, metric spool and unpacked tests (default ./.stampede-agent)
  --ca-file FILE          the controller's CA certificate (its data directory's ca/ca.crt)
  --ca-fingerprint HEX    or the SHA-256 fingerprint of that CA (printed by stampede server)
  --lease D               stop load at most this long after the last contact (default: the controller's)
  --workers N             load worker threads (default: CPU cores less one)

Environment: STAMPEDE_JOIN_TOKEN (as --join-token, kept out of the process list) and
STAMPEDE_PARENT_PID (set by the controller for its local agents: the agent stops and exits within
${PARENT_GONE_EXIT_MS / 1000 + 1} s once that process is no longer its parent).`;

/** `stampede agent`: runs a generator until terminated or SIGINT/SIGTERM; returns the exit code. */
export async function agentCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      controller: { type: 'string' },
      'join-token': { type: 'string' },
      name: { type: 'string' },
      'data-dir': { type: 'string' },
      'ca-file': { type: 'string' },
      'ca-fingerprint': { type: 'string' },
      lease: { type: 'string' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    AGENT_USAGE,
    0,
  );
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${AGENT_USAGE}\n`);
    return EXIT.ok;
  }
  if (!v.controller) throw new UsageError('--controller is required', AGENT_USAGE);
  let caPem: string | undefined;
  if (v['ca-file']) {
    try {
      caPem = readFileSync(v['ca-file'], 'utf8');
    } catch (error) {
      throw new UsageError(`--ca-file: ${(error as Error).message}`, AGENT_USAGE);
    }
  }
  let leaseMs: number | undefined;
  if (v.lease !== undefined) {
    leaseMs = parseDurationMs(v.lease);
    if (leaseMs === undefined || leaseMs <= 0) {
      throw new UsageError(`--lease: "${v.lease}" is not a duration (e.g. 10s)`, AGENT_USAGE);
    }
  }
  let workers: number | undefined;
  if (v.workers !== undefined) {
    workers = Number(v.workers);
    if (!/^\d+$/.test(v.workers) || workers < 1 || workers > 256) {
      throw new UsageError(
        `--workers: "${v.workers}" must be a whole number from 1 to 256`,
        AGENT_USAGE,
      );
    }
  }
  const joinToken = v['join-token'] ?? process.env['STAMPEDE_JOIN_TOKEN'];
  // A local agent of a controller ends with it, even when the controller was SIGKILLed: stop
  // (the spool keeps what could not be sent), and exit for good after PARENT_GONE_EXIT_MS.
  let stopAgent: (() => Promise<void>) | null = null;
  let exitTimer: NodeJS.Timeout | undefined;
  const parentPid = Number(process.env['STAMPEDE_PARENT_PID'] ?? '');
  const unwatch =
    Number.isInteger(parentPid) && parentPid > 0
      ? watchParent({
          parentPid,
          onGone: (why) => {
            process.stderr.write(`stampede agent: ${why}; stopping\n`);
            exitTimer = setTimeout(() => process.exit(EXIT.error), PARENT_GONE_EXIT_MS);
            if (stopAgent) void stopAgent().catch(() => process.exit(EXIT.error));
            else process.exit(EXIT.error);
          },
        })
      : (): void => {};
  const agent = await startAgent({
    controllerUrl: v.controller,
    name:
      v.name ??
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 64),
    dataDir: resolve(v['data-dir'] ?? '.stampede-agent'),
    ...(joinToken ? { joinToken } : {}),
    ...(caPem === undefined ? {} : { caPem }),
    ...(v['ca-fingerprint'] === undefined ? {} : { caFingerprint: v['ca-fingerprint'] }),
    ...(leaseMs === undefined ? {} : { leaseMs }),
    ...(workers === undefined ? {} : { workers }),
  });
  process.stdout.write(`stampede agent ${agent.agentId} connected to ${v.controller}\n`);
  const onSignal = (): void => {
    void agent.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  stopAgent = () => agent.stop();
  try {
    await agent.done;
  } finally {
    unwatch();
    clearTimeout(exitTimer);
  }
  return exitTimer === undefined ? EXIT.ok : EXIT.error;
}
