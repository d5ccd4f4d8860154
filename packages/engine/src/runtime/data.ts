import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';

/** Options of `parseCsv`. */
export interface CsvOptions {
  /** First row holds column names; rows become objects (default true). */
  header?: boolean;
  delimiter?: string;
}

/** Creates the data helpers of 'stampede/data' for a test whose relative paths resolve against `baseDir`. */
export function createDataApi(baseDir: string) {
  const shared = new Map<string, readonly unknown[]>();

  /** Reads a file next to the script, as text or (mode "b") bytes; meant for init code. */
  function open(path: string, mode?: 'b'): string | Uint8Array {
    const full = isAbsolute(path) ? path : resolve(baseDir, path);
    const bytes = readFileSync(full);
    return mode === 'b' ? new Uint8Array(bytes) : bytes.toString('utf8');
  }

  /** Parses CSV text into objects keyed by the header row (or arrays with header: false). */
  function parseCsv(text: string, options: CsvOptions = {}): unknown[] {
    return parseCsvSync(text, {
      columns: options.header ?? true,
      skip_empty_lines: true,
      trim: true,
      ...(options.delimiter ? { delimiter: options.delimiter } : {}),
    }) as unknown[];
  }

  /**
   * k6's SharedArray: `fn` runs once per load worker for a given name and its result is frozen
   * deeply, so every VU reads the same copy and none can change it.
   */
  class SharedArray {
    constructor(name: string, fn: () => unknown[]) {
      let data = shared.get(name);
      if (!data) {
        const made = fn();
        if (!Array.isArray(made))
          throw new TypeError(`SharedArray ${name}: the function must return an array`);
        data = deepFreeze(made);
        shared.set(name, data);
      }
      return data as unknown as SharedArray;
    }
  }

  return { open, parseCsv, SharedArray };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
