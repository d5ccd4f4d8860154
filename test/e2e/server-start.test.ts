// `stampede server` start-up (issue 10 items 12-13): a malformed STAMPEDE_ADMIN_TOKEN is bad
// input naming the variable; a new admin token reaches its owner once and never a log; the
// banner names the real CA file and its fingerprint.
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { delay, describeResult, runCli, spawnCli, tempDir, type CliResult } from './harness.ts';

const TOKEN = /sta_[A-Za-z0-9_-]{43}/;

/** Starts `stampede server` on port 0 without local generators, waits for its banner, stops it. */
async function startAndStop(dataDir: string, env: Record<string, string> = {}): Promise<CliResult> {
  const p = spawnCli(['server', '--port', '0', '--local-generators', '0', '--data-dir', dataDir], {
    env: { STAMPEDE_ADMIN_TOKEN: '', ...env },
    timeoutMs: 30_000,
  });
  try {
    for (let i = 0; i < 250 && !/Agents on other machines/.test(p.stdout()); i++) {
      if (p.child.exitCode !== null) break;
      await delay(100);
    }
  } finally {
    p.child.kill('SIGTERM');
  }
  return p.result;
}

test('item 12: a malformed STAMPEDE_ADMIN_TOKEN is exit 2 naming the variable and the form', async () => {
  const tmp = tempDir();
  try {
    const r = await runCli(['server', '--port', '0', '--data-dir', tmp.dir], {
      env: { STAMPEDE_ADMIN_TOKEN: 'whatever' },
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 2, describeResult(r));
    assert.match(
      r.stderr,
      /STAMPEDE_ADMIN_TOKEN: expected "sta_" followed by 43 base64url characters/,
    );
    assert.doesNotMatch(r.stderr, /internal error|CaError|\n\s+at /, describeResult(r));
  } finally {
    tmp.cleanup();
  }
});

test('item 12: a new admin token is in no log line; without a terminal it goes to an owner-only file', async () => {
  const tmp = tempDir();
  try {
    const dataDir = join(tmp.dir, 'ctl');
    const r = await startAndStop(dataDir);
    assert.match(r.stdout, /listening on https:/, describeResult(r));
    assert.doesNotMatch(r.stdout + r.stderr, TOKEN, describeResult(r));
    const file = join(dataDir, 'admin-token');
    assert.match(r.stdout, new RegExp(`admin API token: written to ${file}`), describeResult(r));
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^${TOKEN.source}\\n$`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    tmp.cleanup();
  }
});

test('item 13: the banner and the untrusted-CA hint name the real CA file; the fingerprint is printed', async () => {
  const tmp = tempDir();
  const dataDir = join(tmp.dir, 'ctl');
  const token = `sta_${randomBytes(32).toString('base64url')}`;
  const p = spawnCli(['server', '--port', '0', '--local-generators', '0', '--data-dir', dataDir], {
    env: { STAMPEDE_ADMIN_TOKEN: token },
    timeoutMs: 30_000,
  });
  try {
    for (let i = 0; i < 250 && !/\(or --ca-file/.test(p.stdout()); i++) {
      if (p.child.exitCode !== null) break;
      await delay(100);
    }
    const out = p.stdout();
    const caFile = join(dataDir, 'ca', 'ca.crt');
    const fingerprint = new X509Certificate(readFileSync(caFile)).fingerprint256
      .replace(/:/g, '')
      .toLowerCase();
    assert.ok(out.includes(`CA certificate: ${caFile}\n`), out);
    assert.ok(out.includes(`CA fingerprint (SHA-256): ${fingerprint}\n`), out);
    assert.ok(out.includes(`--ca-fingerprint ${fingerprint}`), out);
    assert.doesNotMatch(out, /ca\.pem/);
    const url = /listening on (https:\/\/\S+)/.exec(out)?.[1] ?? '';
    const r = await runCli(['runs', 'list', '--server', url, '--token', token], {
      env: { STAMPEDE_CA_FILE: '' },
      timeoutMs: 20_000,
    });
    assert.notEqual(r.code, 0, describeResult(r));
    assert.match(r.stderr, /--ca-file <data-dir>\/ca\/ca\.crt/, describeResult(r));
  } finally {
    p.child.kill('SIGTERM');
    await p.result;
    tmp.cleanup();
  }
});
