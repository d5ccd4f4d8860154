import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeclarativeTest } from '@stampede/protocol';
import * as esbuild from 'esbuild';
import { EngineError } from '../errors.ts';
import { API_MODULES, apiShimSource } from './api-modules.ts';
import { declarativeToScript, parseDeclarative } from './declarative.ts';

/** A test bundled into one content-addressed ES module: the unit shipped to load workers and generators. */
export interface TestBundle {
  /** sha256 of `code`, hex. */
  sha256: string;
  /** The bundled ES module source. */
  code: string;
  /** Absolute path of the cached bundle file (named by its hash). */
  path: string;
  /** Absolute path of the script (or declarative file) it was built from. */
  entryPath: string;
  /** Folder that relative data paths (`open('./users.csv')`) resolve against. */
  baseDir: string;
  /** The parsed request list, when the test is declarative (it may then run on the fast path). */
  declarative?: DeclarativeTest;
}

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs']);
const DECLARATIVE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Folder where bundles are cached, by content hash. */
export function bundleCacheDir(): string {
  return process.env['STAMPEDE_CACHE_DIR'] ?? join(tmpdir(), 'stampede-bundles');
}

/** Bundles a script (.ts/.js/.mjs) or a declarative request list (.yaml/.json) into a test bundle. */
export async function bundleTest(entry: string): Promise<TestBundle> {
  const entryPath = resolve(entry);
  const ext = extensionOf(entryPath);
  let source: string;
  try {
    source = await readFile(entryPath, 'utf8');
  } catch (error) {
    throw new EngineError('INVALID_INPUT', `cannot read ${entry}: ${(error as Error).message}`, {
      path: entry,
    });
  }
  if (DECLARATIVE_EXTENSIONS.has(ext)) {
    const declarative = parseDeclarative(source, entryPath);
    const bundle = await bundleSource(declarativeToScript(declarative), entryPath, 'js');
    return { ...bundle, declarative };
  }
  if (!SCRIPT_EXTENSIONS.has(ext)) {
    throw new EngineError(
      'INVALID_INPUT',
      `${entry}: unsupported file type "${ext}" (use .ts, .js, .mjs, .yaml, .yml or .json)`,
      { path: entry },
    );
  }
  return bundleSource(source, entryPath, ext.includes('ts') ? 'ts' : 'js');
}

/** Bundles module source text as if it lived at `entryPath` (used for generated scripts). */
export async function bundleSource(
  source: string,
  entryPath: string,
  loader: 'ts' | 'js',
): Promise<TestBundle> {
  const baseDir = dirname(entryPath);
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      stdin: { contents: source, sourcefile: basename(entryPath), resolveDir: baseDir, loader },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      sourcemap: 'inline',
      sourcesContent: false,
      // Stack traces then name the script's own path, not the cached bundle's folder.
      sourceRoot: `${pathToFileURL(baseDir).href}/`,
      logLevel: 'silent',
      absWorkingDir: baseDir,
      plugins: [apiPlugin],
      // CommonJS packages bundled into ESM may call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __stampedeCreateRequire } from 'node:module'; const require = __stampedeCreateRequire(import.meta.url);",
      },
    });
  } catch (error) {
    throw toSyntaxError(error, entryPath);
  }
  const output = result.outputFiles[0];
  if (!output) throw new EngineError('INTERNAL', 'esbuild produced no output');
  const code = output.text;
  const sha256 = createHash('sha256').update(code).digest('hex');
  const dir = bundleCacheDir();
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${sha256}.mjs`);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, path);
  return { sha256, code, path, entryPath, baseDir };
}

const apiPlugin: esbuild.Plugin = {
  name: 'stampede-api',
  setup(build) {
    build.onResolve({ filter: /^stampede(\/.*)?$/ }, (args) => {
      if (!(args.path in API_MODULES)) {
        return {
          errors: [
            {
              text: `unknown module "${args.path}": available are ${Object.keys(API_MODULES).join(', ')}`,
            },
          ],
        };
      }
      return { path: args.path, namespace: 'stampede-api' };
    });
    // k6 habit: jslib imports by URL. Left external they fail later in Node's loader (exit 107).
    build.onResolve({ filter: /^https?:\/\// }, (args) => ({
      errors: [{ text: remoteImportMessage(args.path) }],
    }));
    build.onLoad({ filter: /.*/, namespace: 'stampede-api' }, (args) => ({
      contents: apiShimSource(args.path),
      loader: 'js',
    }));
  },
};

function remoteImportMessage(url: string): string {
  const file = basename(new URL(url).pathname) || 'module.js';
  return (
    `remote module "${url}" is not fetched: tests are bundled from local files and npm packages only. ` +
    `Vendor it: save it next to the script (curl -fsSLo ${file} ${url}) and import './${file}', ` +
    'or install the npm package that provides it'
  );
}

function toSyntaxError(error: unknown, entryPath: string): EngineError {
  const failure = error as { errors?: esbuild.Message[] };
  const messages = (failure.errors ?? []).map((m) => {
    const loc = m.location;
    const file = loc
      ? loc.file === basename(entryPath)
        ? entryPath
        : resolve(dirname(entryPath), loc.file)
      : entryPath;
    const where = loc ? `${file}:${loc.line}:${loc.column + 1}` : file;
    const excerpt = loc?.lineText ? `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^` : '';
    return {
      text: `${where}: ${m.text}${excerpt}`,
      file,
      line: loc?.line,
      column: loc ? loc.column + 1 : undefined,
    };
  });
  if (messages.length === 0) {
    return new EngineError('SCRIPT_SYNTAX', `${entryPath}: ${(error as Error).message}`, {
      file: entryPath,
    });
  }
  const first = messages[0];
  return new EngineError('SCRIPT_SYNTAX', messages.map((m) => m.text).join('\n'), {
    file: first?.file,
    line: first?.line,
    column: first?.column,
  });
}

function extensionOf(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot).toLowerCase() : '';
}
