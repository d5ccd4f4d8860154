// Controller memory under the fuzz mix (issue 19 item 6): RSS after GC before and after 10,000
// REST requests of the fuzz test's mix over HTTPS against a real controller (SQLite, no local
// generators) in a child process that measures itself. Run: node bench/controller-memory.ts
// [--requests N]; MEM_DETAIL=1 prints heap figures, MEM_ROUTES=opA,opB limits the mix.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { API_ROUTES } from '../packages/controller/src/api/index.ts';
import { archiveBytes } from '../packages/controller/src/api/testing/harness.ts';
import { fuzzRequest, seededRandom } from '../packages/controller/src/api/testing/suite-fuzz.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '10000' } } });
const total = Number(values.requests);
// MEM_ROUTES=opA,opB limits the mix to some operations (to find what holds memory).
const only = process.env['MEM_ROUTES']?.split(',');
const ROUTES = API_ROUTES.filter((r) => only === undefined || only.includes(r.operationId));

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const ADMIN = 'sta_' + 'M'.repeat(43);
const child = fork(new URL('./lib/memory-controller.ts', import.meta.url), {
  execArgv: ['--expose-gc'],
  env: { ...process.env, MEM_ADMIN: ADMIN },
});
const ready = (await once(child, 'message'))[0] as { url: string; caPem: string };
const ctl = { url: ready.url, caPem: ready.caPem };

async function settledRssMiB(): Promise<number> {
  child.send({ kind: 'measure' });
  const m = (await once(child, 'message'))[0] as Memory;
  if (process.env['MEM_DETAIL'] !== undefined) {
    const mib = (x: number) => Math.round(x / 2 ** 20);
    console.error(
      `controller heapUsed ${mib(m.heapUsed)} heapTotal ${mib(m.heapTotal)} external ${mib(m.external)} rss ${mib(m.rss)} MiB`,
    );
  }
  return m.rss / 2 ** 20;
}

const api = new Agent({ connect: { ca: ctl.caPem }, connections: 8 });
async function send(
  method: string,
  url: string,
  token: string | undefined,
  body?: Buffer | string,
  ct?: string,
) {
  try {
    const res = await request(ctl.url + url, {
      method: method as 'GET',
      dispatcher: api,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(ct === undefined ? {} : { 'content-type': ct }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  } catch {
    return { status: 0, text: '' };
  }
}
try {
  const up = await send(
    'POST',
    '/api/v1/archives',
    ADMIN,
    archiveBytes(),
    'application/octet-stream',
  );
  const archive = (JSON.parse(up.text) as { sha256: string }).sha256;
  const run = await send(
    'POST',
    '/api/v1/runs',
    ADMIN,
    JSON.stringify({ archiveSha256: archive }),
    'application/json',
  );
  const runId = (JSON.parse(run.text) as { id: string }).id;
  const ids = { run: runId, archive, generator: 'gen_x', token: 'atk_x' };
  const tokens = [undefined, 'garbage', ADMIN];
  const r = seededRandom(19);
  const mix = (n: number) =>
    Array.from({ length: n }, (_, i) => fuzzRequest(r, ROUTES[i % ROUTES.length]!, ids, tokens));
  const runMix = async (n: number) => {
    const statuses = new Map<number, number>();
    const batch = mix(n);
    for (let i = 0; i < batch.length; i += 8) {
      const answers = await Promise.all(
        batch.slice(i, i + 8).map((q) => {
          const body = q.json !== undefined ? JSON.stringify(q.json) : q.raw;
          const ct = q.json !== undefined ? 'application/json' : q.contentType;
          return send(q.method, q.url, q.token, body, ct);
        }),
      );
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    return statuses;
  };
  await runMix(1000); // warm-up: JIT, connection pools, caches
  const beforeMiB = await settledRssMiB();
  const t0 = performance.now();
  const statuses = await runMix(total);
  const seconds = (performance.now() - t0) / 1000;
  const afterMiB = await settledRssMiB();
  const ratio = afterMiB / beforeMiB;
  console.log(
    JSON.stringify({
      requests: total,
      seconds: Math.round(seconds * 10) / 10,
      statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
      rssBeforeMiB: Math.round(beforeMiB * 10) / 10,
      rssAfterMiB: Math.round(afterMiB * 10) / 10,
      growthPct: Math.round((ratio - 1) * 1000) / 10,
      within20Pct: ratio <= 1.2,
    }),
  );
} finally {
  await api.close();
  child.send({ kind: 'stop' });
  await once(child, 'exit');
}
