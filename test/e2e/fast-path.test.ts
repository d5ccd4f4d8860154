// The fast path end to end: request lists and quick mode run on raw sockets through the real CLI
// against targets that reply chunked, close connections, fail with 500, refuse, stall or never
// answer. What the target saw must equal the summary's http_reqs exactly, pipelined or not.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { startFreezeServer } from '../../examples/targets/freeze-server.ts';
import {
  counterOf,
  describeResult,
  rateOf,
  readNdjson,
  readSummary,
  delay,
  runCli,
  spawnCli,
  startRecordingTarget,
  sumCounter,
  tempDir,
  type RecordingTarget,
} from './harness.ts';

const tmp = tempDir();
let target: RecordingTarget;
before(async () => {
  target = await startRecordingTarget((req, res) => {
    if (req.path.startsWith('/chunked')) {
      // No Content-Length: node sends Transfer-Encoding: chunked, one chunk per write.
      res.write('chu');
      res.write('nk');
      res.end('ed');
    } else if (req.path.startsWith('/close')) {
      res.writeHead(200, { connection: 'close', 'content-length': '3' });
      res.end('bye');
    } else if (req.path.startsWith('/500')) {
      res.writeHead(500, { 'content-length': '4' });
      res.end('oops');
    } else if (req.path.startsWith('/slow')) {
      return true; // never answers: the request times out
    } else {
      return false;
    }
    return true;
  });
});
after(async () => {
  await target.close();
  tmp.cleanup();
});

/** Runs the CLI in the temp dir; returns the result and the summary (asserts the exit code). */
async function run(args: string[], name: string, code = 0) {
  const summaryPath = tmp.path(`${name}.json`);
  const r = await runCli(['run', ...args, '--summary-json', summaryPath], {
    cwd: tmp.dir,
    timeoutMs: 40_000,
  });
  assert.equal(r.code, code, describeResult(r));
  return { r, summary: readSummary(summaryPath) };
}

function write(name: string, text: string): string {
  writeFileSync(tmp.path(name), text);
  return tmp.path(name);
}

test('request list with chunked, Connection: close and 500 replies: exact counts on 2 workers', async () => {
  const file = write(
    'mixed.yaml',
    `options:
  vus: 4
  iterations: 40
requests:
  - url: ${target.url}/chunked/a
    name: chunked
    expectStatus: 200
  - url: ${target.url}/close/b
    name: close
  - url: ${target.url}/500/c
    name: five-hundred
    expectStatus: 200
  - method: POST
    url: ${target.url}/echo/d
    json: { hello: fast }
`,
  );
  const before = target.seen.length;
  const ndjson = tmp.path('mixed.ndjson');
  const { r, summary } = await run([file, '--workers', '2', '--out', `json=${ndjson}`], 'mixed');
  const seen = target.seen.slice(before);
  assert.equal(seen.length, 160);
  assert.equal(counterOf(summary, 'http_reqs'), 160);
  assert.equal(sumCounter(readNdjson(ndjson), 'http_reqs'), 160);
  assert.equal(counterOf(summary, 'iterations'), 40);
  assert.equal(Object.values(summary.scenarios)[0]?.iterations, 40);
  for (const prefix of ['/chunked', '/close', '/500', '/echo'])
    assert.equal(seen.filter((s) => s.path.startsWith(prefix)).length, 40, prefix);
  const posted = seen.find((s) => s.path === '/echo/d');
  assert.equal(posted?.body, '{"hello":"fast"}');
  assert.equal(posted?.headers['content-type'], 'application/json');
  assert.equal(rateOf(summary, 'http_req_failed').passes, 40);
  const checks = Object.fromEntries(summary.checks.map((c) => [c.name, c]));
  assert.equal(checks['chunked status is 200']?.passes, 40);
  assert.equal(checks['five-hundred status is 200']?.fails, 40);
  assert.equal(summary.generator.path, 'fast');
  assert.match(r.stdout, /path=fast/);
  assert.match(r.stderr, /fast path \(raw sockets, pipelining 1\)/);
});

/** A raw HTTP/1.1 target for bodyless requests: answers each request head as it arrives. */
interface RawTarget {
  url: string;
  requests: number;
  /** Most request heads that arrived in one read: above 1 only when requests were pipelined. */
  maxPerRead: number;
  connections: number;
  close(): Promise<void>;
}

async function startRawTarget(): Promise<RawTarget> {
  const sockets = new Set<Socket>();
  const state = { requests: 0, maxPerRead: 0, connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      const heads = buffered.split('\r\n\r\n');
      buffered = heads.pop() ?? '';
      state.maxPerRead = Math.max(state.maxPerRead, heads.length);
      let out = '';
      for (const head of heads) {
        state.requests++;
        out += head.startsWith('GET /chunked')
          ? 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'
          : head.startsWith('GET /500')
            ? 'HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\nx'
            : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
      }
      if (out !== '') socket.write(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    get maxPerRead() {
      return state.maxPerRead;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test('--pipelining 4: requests really are pipelined and counts stay exact', async () => {
  const raw = await startRawTarget();
  try {
    const file = write(
      'pipelined.yaml',
      `options: { vus: 3, iterations: 101 }
requests:
  - url: ${raw.url}/chunked
  - url: ${raw.url}/ok
  - url: ${raw.url}/500
`,
    );
    const { summary } = await run(
      [file, '--pipelining', '4', '--workers', '2', '--quiet'],
      'pipelined',
    );
    assert.equal(raw.requests, 303);
    assert.equal(counterOf(summary, 'http_reqs'), 303);
    assert.equal(counterOf(summary, 'iterations'), 101);
    assert.equal(rateOf(summary, 'http_req_failed').passes, 101);
    assert.ok(raw.maxPerRead > 1, 'the target never received two requests in one read');
    assert.equal(raw.connections, 3);

    // The same through the file's own `pipelining` and a time-bound executor.
    const before = raw.requests;
    const timed = write(
      'pipelined-timed.yaml',
      `pipelining: 4\noptions: { vus: 2, duration: 1s }\nrequests:\n  - url: ${raw.url}/ok\n`,
    );
    const { summary: s2 } = await run([timed, '--workers', '1', '--quiet'], 'pipelined-timed');
    assert.ok(raw.requests - before > 50);
    assert.equal(counterOf(s2, 'http_reqs'), raw.requests - before);
  } finally {
    await raw.close();
  }
});

test('a refused port and a timeout are recorded per request with their error_code', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const ndjson = tmp.path('refused.ndjson');
  const refused = await run(
    [
      '--url',
      `http://127.0.0.1:${port}/`,
      '--iterations',
      '5',
      '--vus',
      '2',
      '--quiet',
      '--out',
      `json=${ndjson}`,
    ],
    'refused',
    // Quick mode's default threshold http_req_failed rate<0.01 fails a run of refused requests.
    99,
  );
  assert.equal(counterOf(refused.summary, 'http_reqs'), 5);
  assert.equal(rateOf(refused.summary, 'http_req_failed').passes, 5);
  const codes = new Map<string, number>();
  for (const snap of readNdjson(ndjson))
    for (const s of snap.series)
      if (s.metric === 'http_reqs' && s.type === 'counter') {
        const code = s.tags['error_code'] ?? '';
        codes.set(code, (codes.get(code) ?? 0) + s.value);
      }
  assert.deepEqual(Object.fromEntries(codes), { ECONNREFUSED: 5 });

  const file = write(
    'slow.yaml',
    `options:
  vus: 3
  iterations: 3
  httpTimeout: 300ms
  thresholds:
    'http_reqs{error_code:ETIMEDOUT}': ['count==3']
requests:
  - url: ${target.url}/slow
`,
  );
  const before = target.count('/slow');
  const slow = await run([file, '--quiet', '--workers', '1'], 'slow');
  assert.equal(target.count('/slow') - before, 3);
  assert.equal(counterOf(slow.summary, 'http_reqs'), 3);
  assert.equal(slow.summary.thresholds['http_reqs{error_code:ETIMEDOUT}']?.[0]?.ok, true);
  assert.ok(slow.r.elapsedMs < 20_000);
});

test('targets that reset or speak garbage: every request fails with its error_code, exit 0', async () => {
  const cases: [string, (socket: Socket) => void, string][] = [
    [
      'reset',
      (socket) => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      },
      'ECONNRESET',
    ],
    ['garbage', (socket) => socket.end('THIS IS NOT HTTP\r\n\x00\x01\r\n\r\n'), 'EPARSE'],
  ];
  for (const [name, onRequest, code] of cases) {
    const sockets = new Set<Socket>();
    let requests = 0;
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('data', (d: Buffer) => {
        if (!d.toString('latin1').includes('\r\n\r\n')) return;
        requests++;
        onRequest(socket);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    try {
      const file = write(
        `${name}.yaml`,
        `options:\n  vus: 2\n  iterations: 6\n  thresholds:\n    'http_reqs{error_code:${code}}': ['count==6']\nrequests:\n  - url: ${url}\n`,
      );
      const { r, summary } = await run([file, '--quiet', '--workers', '1'], name);
      assert.doesNotMatch(r.stderr, /internal error|uncaught|unhandled/i);
      assert.equal(counterOf(summary, 'http_reqs'), 6, name);
      assert.equal(requests, 6, name);
      assert.equal(summary.thresholds[`http_reqs{error_code:${code}}`]?.[0]?.ok, true, name);
      assert.equal(rateOf(summary, 'http_req_failed').passes, 6);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
});

test('arrival rate against a stalling target reports dropped iterations; counts still match', async () => {
  const freeze = await startFreezeServer({ windows: [[300, 1300]] });
  try {
    const { summary } = await run(
      [
        '--url',
        `${freeze.url}/`,
        '--rate',
        '100',
        '--duration',
        '2s',
        '--max-vus',
        '5',
        '--workers',
        '1',
        '--quiet',
      ],
      'stall',
    );
    const dropped = counterOf(summary, 'dropped_iterations');
    const reqs = counterOf(summary, 'http_reqs');
    assert.ok(dropped > 20, `dropped ${dropped}`);
    assert.equal(reqs + dropped, 200);
    assert.equal(reqs, freeze.requests);
    assert.equal(summary.scenarios['default']?.droppedIterations, dropped);
    // Coordinated omission corrected: the stall shows in http_req_duration, not only in service time.
    const d = summary.metrics['http_req_duration'];
    assert.ok(d?.type === 'trend' && d.values.max > 500, `max ${JSON.stringify(d)}`);
    assert.ok(summary.metrics['http_req_service_time'] !== undefined);
    assert.ok(summary.metrics['send_lag'] !== undefined);
  } finally {
    await freeze.close();
  }
});

test('execution segments and scenarios of several executors add up exactly', async () => {
  const before = target.count('/seg');
  let total = 0;
  for (const segment of ['0:1/3', '1/3:2/3', '2/3:1']) {
    const { summary } = await run(
      [
        '--url',
        `${target.url}/seg`,
        '--iterations',
        '50',
        '--vus',
        '4',
        '--workers',
        '2',
        '--execution-segment',
        segment,
        '--execution-segment-sequence',
        '0,1/3,2/3,1',
        '--quiet',
      ],
      `seg-${segment.replace(/[/:]/g, '_')}`,
    );
    total += counterOf(summary, 'http_reqs');
  }
  assert.equal(total, 50);
  assert.equal(target.count('/seg') - before, 50);

  const file = write(
    'scenarios.yaml',
    `options:
  scenarios:
    closed:
      executor: per-vu-iterations
      vus: 2
      iterations: 7
    open:
      executor: constant-arrival-rate
      rate: 20
      duration: 1s
      preAllocatedVUs: 5
    ramp:
      executor: ramping-arrival-rate
      startRate: 10
      stages: [{ duration: 1s, target: 30 }]
      preAllocatedVUs: 5
requests:
  - url: ${target.url}/scn
`,
  );
  const b2 = target.count('/scn');
  const { summary } = await run([file, '--workers', '2', '--quiet'], 'scenarios');
  const seen = target.count('/scn') - b2;
  assert.equal(summary.scenarios['closed']?.iterations, 14);
  assert.equal(summary.scenarios['open']?.iterations, 20);
  assert.equal(summary.scenarios['ramp']?.iterations, 20);
  assert.equal(counterOf(summary, 'http_reqs'), seen);
  assert.equal(seen, 54);
});

test('--no-fast-path runs the scripted path; pipelining that cannot be honoured is exit 2', async () => {
  const before = target.count('/scripted');
  const { r, summary } = await run(
    ['--url', `${target.url}/scripted`, '--iterations', '7', '--no-fast-path', '--workers', '1'],
    'scripted',
  );
  assert.equal(target.count('/scripted') - before, 7);
  assert.equal(counterOf(summary, 'http_reqs'), 7);
  assert.equal(summary.generator.path, 'scripted');
  assert.match(r.stderr, /scripted path \(the fast path is turned off\)/);

  const script = write(
    'script.ts',
    `import { http } from 'stampede';\nexport default async function () { await http.get('${target.url}/'); }\n`,
  );
  const bad: [string[], RegExp][] = [
    [[script, '--pipelining', '2'], /--pipelining: only --url and request lists/],
    [['--url', `${target.url}/`, '--pipelining', '0'], /--pipelining: expected an integer >= 1/],
    [
      ['--url', `${target.url}/`, '--pipelining', '2', '--no-fast-path'],
      /pipelining: needs the fast path/,
    ],
    [[write('bad-pipe.yaml', `pipelining: 0\nrequests:\n  - url: ${target.url}/\n`)], /pipelining/],
  ];
  for (const [args, message] of bad) {
    const res = await runCli(['run', ...args, '--quiet'], { cwd: tmp.dir });
    assert.equal(res.code, 2, describeResult(res));
    assert.match(res.stderr, message);
  }
});

test('Ctrl-C on the fast path: graceful stop, exit 105, every request the target saw is counted', async () => {
  const summaryPath = tmp.path('sigint.json');
  const p = spawnCli(
    [
      'run',
      '--url',
      `${target.url}/sigint`,
      '--vus',
      '3',
      '--duration',
      '30s',
      '--workers',
      '2',
      '--quiet',
      '--summary-json',
      summaryPath,
    ],
    { cwd: tmp.dir, timeoutMs: 25_000 },
  );
  const started = performance.now();
  while (target.count('/sigint') === 0 && performance.now() - started < 15_000) await delay(25);
  await delay(1000);
  p.child.kill('SIGINT');
  const r = await p.result;
  assert.equal(r.code, 105, describeResult(r));
  const s = readSummary(summaryPath);
  assert.equal(s.result, 'aborted');
  const atExit = target.count('/sigint');
  assert.ok(atExit > 10);
  assert.equal(counterOf(s, 'http_reqs'), atExit);
  await delay(300);
  assert.equal(target.count('/sigint'), atExit, 'requests arrived after the process exited');
});
