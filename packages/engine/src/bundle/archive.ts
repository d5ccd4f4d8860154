// Test archives: what a controller ships to generators. One JSON document (protocol
// testArchiveSchema) with the bundled script, the data files its init code opens, and the hosts
// it names; content-addressed by the SHA-256 of its bytes.
//
// Data files are found by recording, not by scanning: the test is loaded once in this thread (as
// prepareTest does) with open() wrapped, so paths computed at run time (`open(__ENV.DATA)`,
// `open(\`./users-${n}.csv\`)`) are found as well, and a file that init code does not open is not
// shipped. Files opened only inside iterations are not seen: open() is meant for init code.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  declarativeTestSchema,
  testArchiveSchema,
  type DeclarativeTest,
  type TestArchive,
} from '@stampede/protocol';
import { EngineError } from '../errors.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { installScriptRuntime } from '../runtime/install.ts';
import { describeError } from '../run/script-module.ts';
import { API_GLOBAL } from './api-modules.ts';
import { scanBundleTargets, targetOfUrl } from './archive-targets.ts';
import { bundleTest, type TestBundle } from './bundle.ts';

/** Archive entry holding a declarative test's request list (JSON), so generators can run it on the fast path. */
export const DECLARATIVE_ENTRY = '.stampede/declarative.json';

/** A test archive with its encoded bytes and their SHA-256 (hex), the name it is stored under. */
export interface BuiltArchive {
  archive: TestArchive;
  bytes: Uint8Array;
  sha256: string;
}

/** Inputs of buildTestArchive besides the test file. */
export interface ArchiveOptions {
  /** Environment the init code sees while its data files are recorded (as in `stampede run`). */
  env?: Record<string, string>;
}

/** Bundles a test, records the data files its init code opens and the hosts it names, and encodes the archive. */
export async function buildTestArchive(
  file: string,
  options: ArchiveOptions = {},
): Promise<BuiltArchive> {
  const bundle = await bundleTest(file);
  const files: Record<string, string> = {};
  if (bundle.declarative === undefined) {
    for (const rel of await recordOpenedFiles(bundle, options.env ?? {})) {
      const bytes = await readFile(join(bundle.baseDir, rel));
      files[rel.split(sep).join('/')] = bytes.toString('base64');
    }
  }
  const targets = new Set(scanBundleTargets(bundle.code));
  if (bundle.declarative !== undefined) {
    files[DECLARATIVE_ENTRY] = Buffer.from(JSON.stringify(bundle.declarative)).toString('base64');
    for (const r of bundle.declarative.requests) {
      const t = targetOfUrl(r.url);
      if (t !== null) targets.add(t);
    }
  }
  const archive: TestArchive = {
    v: 1,
    scriptName: basename(bundle.entryPath),
    script: bundle.code,
    files,
    targets: [...targets].sort(),
  };
  return { archive, ...encodeTestArchive(archive) };
}

/** Encodes an archive as the bytes that are stored and shipped (UTF-8 JSON) and their SHA-256. */
export function encodeTestArchive(archive: TestArchive): { bytes: Uint8Array; sha256: string } {
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(archive), 'utf8'));
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Decodes archive bytes, refusing them unless their SHA-256 is `expectedSha256` and they are a valid archive. */
export function decodeTestArchive(bytes: Uint8Array, expectedSha256: string): TestArchive {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expectedSha256.toLowerCase()) {
    throw new EngineError(
      'INVALID_INPUT',
      `test archive: SHA-256 ${actual} differs from ${expectedSha256}`,
      { expected: expectedSha256, actual },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new EngineError('INVALID_INPUT', `test archive: not JSON (${(error as Error).message})`);
  }
  const parsed = testArchiveSchema.safeParse(json);
  if (!parsed.success) {
    throw new EngineError('INVALID_INPUT', `test archive: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/**
 * Writes an archive's script and data files under `dir` (created if needed) and returns the test
 * bundle prepareTest runs (`{ source: { bundle } }`); data paths resolve against `dir` as they did
 * against the test's folder. Refuses any file path that would land outside `dir`.
 */
export async function unpackTestArchive(archive: TestArchive, dir: string): Promise<TestBundle> {
  const root = resolve(dir);
  const targets = Object.keys(archive.files).map((rel) => [rel, safePath(root, rel)] as const);
  const scriptName = basename(archive.scriptName);
  if (scriptName === '' || scriptName === '.' || scriptName === '..') {
    throw new EngineError('INVALID_INPUT', `test archive: bad script name ${archive.scriptName}`);
  }
  await mkdir(root, { recursive: true });
  for (const [rel, full] of targets) {
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, Buffer.from(archive.files[rel] ?? '', 'base64'));
  }
  const code = archive.script;
  const sha256 = createHash('sha256').update(code).digest('hex');
  const path = join(root, '.stampede', `${sha256}.mjs`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, code);
  const declarative = readDeclarative(archive);
  return {
    sha256,
    code,
    path,
    // Messages name the script where its author has it, as the source-mapped frames do.
    entryPath: authorEntryPath(code, scriptName) ?? join(root, scriptName),
    baseDir: root,
    ...(declarative !== undefined ? { declarative } : {}),
  };
}

/**
 * The script's path on the machine that bundled it, from the bundle's inline source map (its
 * `sourceRoot` is the script's folder there), or undefined when the map does not say.
 */
function authorEntryPath(code: string, scriptName: string): string | undefined {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!m) return undefined;
  try {
    const map = JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8')) as {
      sourceRoot?: unknown;
    };
    if (typeof map.sourceRoot !== 'string' || !map.sourceRoot.startsWith('file:')) return undefined;
    return fileURLToPath(new URL(scriptName, map.sourceRoot));
  } catch {
    return undefined;
  }
}

function safePath(root: string, rel: string): string {
  const full = resolve(root, rel);
  const inside = relative(root, full);
  if (
    rel === '' ||
    isAbsolute(rel) ||
    /^[A-Za-z]:/.test(rel) ||
    inside === '' ||
    escapes(inside) ||
    isAbsolute(inside)
  ) {
    throw new EngineError(
      'INVALID_INPUT',
      `test archive: file path ${rel} escapes the test folder`,
      {
        path: rel,
      },
    );
  }
  return full;
}

function escapes(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`);
}

function readDeclarative(archive: TestArchive): DeclarativeTest | undefined {
  const entry = archive.files[DECLARATIVE_ENTRY];
  if (entry === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(entry, 'base64').toString('utf8'));
  } catch {
    throw new EngineError('INVALID_INPUT', `test archive: ${DECLARATIVE_ENTRY} is not JSON`);
  }
  const parsed = declarativeTestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EngineError('INVALID_INPUT', `test archive: ${DECLARATIVE_ENTRY} is not a test`);
  }
  return parsed.data;
}

/** Loads the bundle once with open() recording, and returns the opened paths relative to its folder. */
async function recordOpenedFiles(
  bundle: TestBundle,
  env: Record<string, string>,
): Promise<string[]> {
  const opened = new Set<string>();
  const runtime = installScriptRuntime({
    registry: new MetricRegistry(),
    baseDir: bundle.baseDir,
    env,
  });
  const api = (globalThis as Record<string, unknown>)[API_GLOBAL] as Record<
    string,
    Record<string, unknown>
  >;
  for (const module of ['stampede', 'stampede/data']) {
    const target = api[module];
    const open = target?.['open'] as ((path: string, mode?: 'b') => unknown) | undefined;
    if (!target || !open) continue;
    target['open'] = (path: string, mode?: 'b') => {
      opened.add(checkDataPath(bundle, path));
      return open(path, mode);
    };
  }
  try {
    // A URL of its own: this module instance (and its captured API) is not the one a run imports.
    await import(`${pathToFileURL(bundle.path).href}?archive=${Date.now()}`);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError(
      'SCRIPT_INIT',
      `${bundle.entryPath}: error in init code: ${describeError(error)}`,
      { file: bundle.entryPath },
    );
  } finally {
    runtime.close();
  }
  return [...opened].sort();
}

function checkDataPath(bundle: TestBundle, path: string): string {
  if (isAbsolute(path)) {
    throw new EngineError(
      'INVALID_INPUT',
      `${bundle.entryPath}: open(${JSON.stringify(path)}): an absolute path cannot be shipped to generators; use a path relative to the script`,
      { path },
    );
  }
  const rel = relative(bundle.baseDir, resolve(bundle.baseDir, path));
  if (rel === '' || escapes(rel) || isAbsolute(rel)) {
    throw new EngineError(
      'INVALID_INPUT',
      `${bundle.entryPath}: open(${JSON.stringify(path)}): the file is outside the test's folder ${bundle.baseDir}; archives carry only files under it`,
      { path },
    );
  }
  return rel;
}
