import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestArchive } from '@stampede/protocol';
import { prepareTest } from '../run/prepare.ts';
import {
  DECLARATIVE_ENTRY,
  buildTestArchive,
  decodeTestArchive,
  encodeTestArchive,
  unpackTestArchive,
} from './archive.ts';
import { scanBundleTargets, scanCodeTargets } from './archive-targets.ts';

function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-archive-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function writeTest(dir: string): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', 'helper'), { recursive: true });
  writeFileSync(join(dir, 'data', 'users.csv'), 'name\nada\nbob\n');
  writeFileSync(join(dir, 'data', 'extra.bin'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(join(dir, 'data', 'unused.txt'), 'never opened');
  writeFileSync(
    join(dir, 'node_modules', 'helper', 'package.json'),
    JSON.stringify({ name: 'helper', version: '1.0.0', main: 'index.js' }),
  );
  writeFileSync(
    join(dir, 'node_modules', 'helper', 'index.js'),
    "module.exports = { docs: 'https://docs.example.org/helper' };\n",
  );
  const file = join(dir, 'load.ts');
  writeFileSync(
    file,
    `import { http, open, SharedArray, parseCsv } from 'stampede/data';
import { http as h } from 'stampede';
import helper from 'helper';
const users = new SharedArray('users', () => parseCsv(open('./data/users.csv') as string));
const extra = open(__ENV.EXTRA ?? 'data/extra.bin', 'b') as Uint8Array;
export const options = { vus: 1, iterations: 1, tags: { users: String(users.length), extra: String(extra.length), helper: typeof helper.docs } };
export default async function () {
  await h.get('http://api.example.com:8080/users');
  await h.get(\`https://\${__ENV.HOST}/dynamic\`);
  await h.get(\`https://static.example.com/items/\${users.length}\`);
}
`,
  );
  return file;
}

test('buildTestArchive: script, the data files init code opened, own-code targets', async () => {
  const t = tempDir();
  try {
    const built = await buildTestArchive(writeTest(t.dir), { env: {} });
    const { archive } = built;
    assert.equal(archive.v, 1);
    assert.equal(archive.scriptName, 'load.ts');
    assert.deepEqual(Object.keys(archive.files).sort(), ['data/extra.bin', 'data/users.csv']);
    assert.equal(
      Buffer.from(archive.files['data/users.csv'] ?? '', 'base64').toString(),
      'name\nada\nbob\n',
    );
    assert.deepEqual(
      [...Buffer.from(archive.files['data/extra.bin'] ?? '', 'base64')],
      [0, 1, 2, 255],
    );
    // The npm package's URL is not a target, the computed host is not either.
    assert.deepEqual(archive.targets, ['api.example.com:8080', 'static.example.com:443']);
    assert.equal(built.sha256, encodeTestArchive(archive).sha256);
    assert.deepEqual(decodeTestArchive(built.bytes, built.sha256), archive);
  } finally {
    t.cleanup();
  }
});

test('decodeTestArchive refuses other bytes than the hash names, and non-archives', async () => {
  const archive: TestArchive = { v: 1, scriptName: 'a.js', script: '', files: {}, targets: [] };
  const { bytes, sha256 } = encodeTestArchive(archive);
  const tampered = new Uint8Array(bytes);
  tampered[tampered.length - 2] = 0x20;
  assert.throws(() => decodeTestArchive(tampered, sha256), /SHA-256/);
  const junk = encodeTestArchive({ ...archive, v: 2 } as unknown as TestArchive);
  assert.throws(() => decodeTestArchive(junk.bytes, junk.sha256), /test archive/);
});

test('unpackTestArchive: prepareTest runs the unpacked bundle, open() reads the unpacked files', async () => {
  const src = tempDir();
  const dst = tempDir();
  try {
    const { archive } = await buildTestArchive(writeTest(src.dir));
    const bundle = await unpackTestArchive(archive, join(dst.dir, 'run-1'));
    assert.equal(bundle.baseDir, join(dst.dir, 'run-1'));
    assert.equal(
      readFileSync(join(bundle.baseDir, 'data', 'users.csv'), 'utf8'),
      'name\nada\nbob\n',
    );
    // The source folder is gone: every read must come from the unpacked folder.
    src.cleanup();
    const prepared = await prepareTest({ source: { bundle }, env: {} });
    assert.deepEqual(prepared.plan.options.tags, { users: '2', extra: '4', helper: 'string' });
    assert.equal(prepared.path.kind, 'scripted');
    prepared.runtime.close();
  } finally {
    src.cleanup();
    dst.cleanup();
  }
});

test('unpackTestArchive refuses paths that escape the folder', async () => {
  const t = tempDir();
  try {
    for (const bad of ['../x.csv', '/etc/passwd', 'a/../../x', '..', 'C:/x']) {
      const archive: TestArchive = {
        v: 1,
        scriptName: 'a.js',
        script: 'export default function () {}',
        files: { [bad]: 'AA==' },
        targets: [],
      };
      await assert.rejects(unpackTestArchive(archive, join(t.dir, 'u')), /escapes/, bad);
    }
  } finally {
    t.cleanup();
  }
});

test('a declarative test keeps its request list, so generators run it on the fast path', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'reqs.yaml');
    writeFileSync(
      file,
      'options: { vus: 2, duration: 1s }\nrequests:\n  - { method: GET, url: "http://127.0.0.1:9/a" }\n  - { method: GET, url: "http://127.0.0.1:9/b" }\n',
    );
    const { archive } = await buildTestArchive(file);
    assert.deepEqual(Object.keys(archive.files), [DECLARATIVE_ENTRY]);
    assert.deepEqual(archive.targets, ['127.0.0.1:9']);
    const bundle = await unpackTestArchive(archive, join(t.dir, 'unpacked'));
    assert.equal(bundle.declarative?.requests.length, 2);
    const prepared = await prepareTest({ source: { bundle }, env: {} });
    assert.equal(prepared.path.kind, 'fast');
    prepared.runtime.close();
  } finally {
    t.cleanup();
  }
});

test('buildTestArchive refuses data files outside the test folder', async () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'test'));
    writeFileSync(join(t.dir, 'outside.csv'), 'x');
    const file = join(t.dir, 'test', 'a.js');
    writeFileSync(
      file,
      "import { open } from 'stampede';\nopen('../outside.csv');\nexport default function () {}\n",
    );
    await assert.rejects(buildTestArchive(file), /outside the test's folder/);
  } finally {
    t.cleanup();
  }
});

test('scanCodeTargets: literals with fixed hosts, default ports, computed hosts skipped', () => {
  assert.deepEqual(
    scanCodeTargets(
      `a('http://A.example.com/x'); b("https://b.example.com:8443"); c(\`http://\${h}/\`); d(\`http://c.example.com/\${p}\`)`,
    ).sort(),
    ['a.example.com:80', 'b.example.com:8443', 'c.example.com:80'],
  );
  const bundle = `x\n\n// node_modules/lib/index.js\nconst u = 'http://lib.example.com/';\n\n// test.ts\nconst v = 'http://own.example.com/';\n`;
  assert.deepEqual(scanBundleTargets(bundle), ['own.example.com:80']);
});

test('an init error on a generator names the script and its line, as a local run does', async () => {
  const src = tempDir();
  const dst = tempDir();
  try {
    const file = join(src.dir, 'initerr.ts');
    writeFileSync(
      file,
      `export const options = { iterations: 1 };
const onGenerator: boolean = __ENV.STAMPEDE_GENERATOR_INDEX !== undefined;
if (onGenerator) {
  throw new Error('boom on the generator');
}
export default async function () {}
`,
    );
    const { archive } = await buildTestArchive(file);
    const bundle = await unpackTestArchive(archive, join(dst.dir, 'run-1'));
    assert.equal(bundle.entryPath, file);
    await assert.rejects(
      prepareTest({ source: { bundle }, env: { STAMPEDE_GENERATOR_INDEX: '0' } }),
      (error: Error) => {
        assert.ok(
          error.message.startsWith(`${file}: error in init code: Error: boom`),
          error.message,
        );
        assert.ok(error.message.includes(`${file}:4:9`), error.message);
        assert.ok(!error.message.includes(dst.dir), error.message);
        return true;
      },
    );
  } finally {
    src.cleanup();
    dst.cleanup();
  }
});
