import { pathToFileURL } from 'node:url';
import { EngineError } from '../errors.ts';

/** A test bundle's exports: options, the default (or named) iteration functions, setup and teardown. */
export interface ScriptModule {
  options?: unknown;
  default?: unknown;
  setup?: unknown;
  teardown?: unknown;
  [name: string]: unknown;
}

/** Imports a test bundle; an exception in its init code becomes a SCRIPT_INIT error with the script location. */
export async function importBundle(bundlePath: string, entryPath: string): Promise<ScriptModule> {
  // Stack traces of script errors then point at the script, through the bundle's inline source map.
  process.setSourceMapsEnabled(true);
  try {
    return (await import(pathToFileURL(bundlePath).href)) as ScriptModule;
  } catch (error) {
    throw new EngineError(
      'SCRIPT_INIT',
      `${entryPath}: error in init code: ${describeError(error)}`,
      {
        file: entryPath,
      },
    );
  }
}

/** A thrown value as one readable string: the message plus the first stack frame inside the script. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack
    ?.split('\n')
    .slice(1)
    .find((line) => !line.includes('node:internal') && !line.includes('/packages/engine/'));
  return frame
    ? `${error.name}: ${error.message}\n  ${frame.trim()}`
    : `${error.name}: ${error.message}`;
}
