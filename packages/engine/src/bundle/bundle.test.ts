import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../errors.ts';
import { bundleTest } from './bundle.ts';
import { compileDeclarative } from './declarative.ts';

async function scratch(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stampede-bundle-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

test('bundles a TypeScript script with an npm package next to it into a content-addressed file', async () => {
  const dir = await scratch({
    'test.ts':
      "import { http } from 'stampede';\nimport pad from 'pad-lite';\nconst n: number = 1;\nexport default async () => { await http.get(pad('x') + n); };\n",
    'node_modules/pad-lite/package.json': '{"name":"pad-lite","main":"index.js"}',
    'node_modules/pad-lite/index.js': 'module.exports = (s) => "  " + s;',
  });
  const a = await bundleTest(join(dir, 'test.ts'));
  const b = await bundleTest(join(dir, 'test.ts'));
  assert.equal(a.sha256, b.sha256);
  assert.match(a.path, new RegExp(`${a.sha256}\\.mjs$`));
  assert.equal(await readFile(a.path, 'utf8'), a.code);
  assert.match(a.code, /globalThis\["__stampede"\]/);
  assert.match(a.code, /"  " \+ s/);
});

test('a syntax error names file, line and column', async () => {
  const dir = await scratch({
    'bad.ts': 'export default async () => {\n  const x: number = ;\n};\n',
  });
  await assert.rejects(bundleTest(join(dir, 'bad.ts')), (error: unknown) => {
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'SCRIPT_SYNTAX');
    assert.match(error.message, new RegExp(`${join(dir, 'bad.ts')}:2:21: Unexpected ";"`));
    assert.equal(error.details['line'], 2);
    return true;
  });
});

test('unknown stampede modules, missing files and unknown extensions are refused', async () => {
  const dir = await scratch({
    'a.js': "import { x } from 'stampede/nope'; export default () => x;",
    'b.txt': '',
  });
  await assert.rejects(bundleTest(join(dir, 'a.js')), /unknown module "stampede\/nope"/);
  await assert.rejects(bundleTest(join(dir, 'missing.ts')), /cannot read/);
  await assert.rejects(bundleTest(join(dir, 'b.txt')), /unsupported file type ".txt"/);
});

test('declarative tests compile to a script and report bad fields with their path', () => {
  const src = compileDeclarative(
    'options: { vus: 2 }\nrequests:\n  - url: http://127.0.0.1:1/x\n    json: { a: 1 }\n    expectStatus: 201\n',
    'r.yaml',
  );
  assert.match(src, /"Content-Type":"application\/json"/);
  assert.match(src, /status is 201/);
  assert.throws(
    () => compileDeclarative('requests:\n  - url: ftp://x\n', 'r.yaml'),
    /r\.yaml: requests\[0\]\.url/,
  );
  assert.throws(
    () => compileDeclarative('requests: []\n', 'r.yaml'),
    /requests needs at least one request/,
  );
  assert.throws(() => compileDeclarative('requests: [\n', 'r.yaml'), /r\.yaml:\d+:\d+/);
});
