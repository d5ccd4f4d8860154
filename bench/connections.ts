// 10,000 concurrent keep-alive connections against the Node echo target: 10,000 VUs, each sending
// a slow request (the target answers after ?delayMs) and then sleeping, so every VU keeps its one
// connection open for the whole run. Both processes get a raised open-file limit. Goals: no
// failed request and no failed check; the connections the target holds (ESTABLISHED sockets on
// its port, counted from /proc/net/tcp every second) reach the VU count.
//
//   node bench/connections.ts [--vus 10000] [--duration 30] [--delay-ms 1000] [--sleep 1]
import { readFileSync } from 'node:fs';
import { parseFlags, type FlagValues } from './lib/args.ts';
import { loadAvg } from './lib/proc.ts';
import { fixed, fmt, printVerdicts, table, writeResult } from './lib/report.ts';
import type { PartResult } from './lib/report.ts';
import { metric, runStampede, writeScript } from './lib/stampede.ts';
import { startEcho } from './lib/targets.ts';

/** The flags of this benchmark (bench/all.ts passes `--connections.NAME value` through). */
export const FLAGS = {
  vus: { kind: 'number', default: 10_000, help: 'VUs, one connection each' },
  duration: { kind: 'number', default: 30, help: 'seconds' },
  delayMs: { kind: 'number', default: 1000, help: 'how long the target holds each request, ms' },
  sleep: { kind: 'number', default: 1, help: 'seconds each VU sleeps between requests' },
  workers: { kind: 'number', default: 1, help: 'load workers' },
  files: {
    kind: 'number',
    default: 65_536,
    help: 'open-file limit asked for (capped by the hard limit)',
  },
} as const;

/** Options of the connections benchmark. */
export type ConnectionsOptions = FlagValues<typeof FLAGS>;

const SCRIPT = `// bench/connections.ts: one slow request, then a pause; the connection stays open.
import { check, http, sleep } from 'stampede';
const url = __ENV.TARGET + '?delayMs=' + __ENV.DELAY_MS;
export default async function () {
  const r = await http.get(url);
  check(r, { 'status is 200': (x) => x.status === 200 });
  await sleep(Number(__ENV.SLEEP_S));
}
`;

/** ESTABLISHED TCP sockets whose local port is `port` (the server side of its connections). */
function establishedOnPort(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      // "  sl  local_address rem_address   st ...": fields 1 (local) and 3 (state, 01 = ESTABLISHED).
      const f = line.trim().split(/\s+/);
      if (f[3] === '01' && f[1]?.endsWith(hex)) n++;
    }
  }
  return n;
}

/** Runs the connections benchmark. */
export async function runConnections(opts: ConnectionsOptions): Promise<PartResult> {
  const target = await startEcho({ files: opts.files });
  const port = Number(new URL(target.url).port);
  const load = { before: loadAvg(), after: '' };
  console.log(
    `[connections] ${fmt(opts.vus)} VUs x ${opts.duration}s against ${target.name} (delay ${opts.delayMs} ms, sleep ${opts.sleep}s); load ${load.before}`,
  );
  const held: number[] = [];
  const timer = setInterval(() => held.push(establishedOnPort(port)), 1000);
  let run;
  try {
    const script = writeScript('connections.ts', SCRIPT);
    run = await runStampede(
      [
        script,
        '--vus',
        String(opts.vus),
        '--duration',
        `${opts.duration}s`,
        '--workers',
        String(opts.workers),
        '--env',
        `TARGET=${target.url}`,
        '--env',
        `DELAY_MS=${opts.delayMs}`,
        '--env',
        `SLEEP_S=${opts.sleep}`,
      ],
      { files: opts.files, timeoutMs: (opts.duration + 180) * 1000 },
    );
  } finally {
    clearInterval(timer);
    await target.stop();
  }
  load.after = loadAvg();
  const s = run.summary;
  if (s === null) throw new Error(`stampede exited ${run.code}: ${run.stderr}`);
  const requests = metric(s, 'http_reqs', 'count') ?? 0;
  const failedRate = metric(s, 'http_req_failed', 'rate') ?? 0;
  const failed = Math.round(failedRate * requests);
  const checkFails = s.checks.reduce((n, c) => n + c.fails, 0);
  const maxHeld = Math.max(0, ...held);
  const rows = [
    [
      'VUs',
      'requests',
      'req/s',
      'failed',
      'check fails',
      'max connections held',
      'p99 ms',
      'peak RSS MiB',
    ],
    [
      fmt(opts.vus),
      fmt(requests),
      fmt(metric(s, 'http_reqs', 'rate')),
      fmt(failed),
      fmt(checkFails),
      fmt(maxHeld),
      fixed(metric(s, 'http_req_duration', 'p99'), 1),
      fixed(run.peakRssKiB / 1024, 0),
    ],
  ];
  console.log('\n' + table(rows) + `\nload average ${load.before} -> ${load.after}`);
  const file = writeResult('connections', {
    options: opts,
    load,
    requests,
    failed,
    checkFails,
    heldPerSecond: held,
    exitCode: run.code,
    generator: s.generator,
    httpReqDurationP99Ms: metric(s, 'http_req_duration', 'p99'),
    peakRssMiB: run.peakRssKiB / 1024,
  });
  console.log(`[connections] results written to ${file}`);
  return {
    part: 'connections',
    file,
    verdicts: [
      {
        target: `${fmt(opts.vus)} keep-alive connections: errors`,
        goal: '0 failed requests and checks',
        value: `${fmt(failed)} failed of ${fmt(requests)}, ${fmt(checkFails)} check fails`,
        met: requests > 0 && failed === 0 && checkFails === 0,
      },
      {
        target: `${fmt(opts.vus)} keep-alive connections: held at once`,
        goal: `>= ${fmt(opts.vus)}`,
        value: `${fmt(maxHeld)} (ESTABLISHED on the target's port)`,
        met: maxHeld >= opts.vus,
      },
    ],
  };
}

if (import.meta.main) {
  const opts = parseFlags('node bench/connections.ts', FLAGS, process.argv.slice(2));
  printVerdicts((await runConnections(opts)).verdicts);
}
