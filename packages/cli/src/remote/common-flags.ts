// Flags every command that talks to a controller accepts, and the table printer they share.
import { ApiClient, apiTarget } from './api-client.ts';

/** parseArgs options for --server, --token, --ca-file and --json. */
export const CONTROLLER_FLAG_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  'ca-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** parseArgs options of commands that queue a job of runs: env, labels, load shape, where, polling. */
export const JOB_RUN_FLAG_OPTIONS = {
  env: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  vus: { type: 'string' },
  duration: { type: 'string' },
  generators: { type: 'string' },
  pool: { type: 'string' },
  'poll-ms': { type: 'string' },
} as const;

/** Help lines for the controller flags. */
export const CONTROLLER_FLAGS_USAGE = `Controller:
  --server URL            controller URL (default: $STAMPEDE_SERVER)
  --token T               API token (default: $STAMPEDE_TOKEN)
  --ca-file FILE          the controller's CA certificate (default: $STAMPEDE_CA_FILE)
  --json                  print JSON instead of a table`;

/** Builds a client from parsed controller flags. */
export function clientFromFlags(values: {
  server?: string | undefined;
  token?: string | undefined;
  'ca-file'?: string | undefined;
}): ApiClient {
  return new ApiClient(
    apiTarget({ server: values.server, token: values.token, caFile: values['ca-file'] }),
  );
}

/** Renders rows as an aligned text table with a header line. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** An epoch-ms time as an ISO string without milliseconds, or "-". */
export function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
