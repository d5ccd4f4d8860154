// Where the interval snapshots of `--out json=FILE` go: a file, or standard output for "-". A
// write error (disk full, file removed) is reported once and never crashes the run.
import { createWriteStream } from 'node:fs';

/** An NDJSON destination: `write` one line, `end` flushes (and closes a file, never stdout). */
export interface NdjsonSink {
  write(line: string): void;
  end(): Promise<void>;
}

/** Opens `path` ("-" = standard output) for NDJSON lines; `onError` hears the first write error. */
export function openNdjsonSink(path: string, onError: (message: string) => void): NdjsonSink {
  let failed = false;
  const fail = (error: Error): void => {
    if (failed) return;
    failed = true;
    onError(`--out json=${path}: ${error.message}`);
  };
  if (path === '-') {
    return {
      write: (line) => {
        if (!failed) process.stdout.write(line);
      },
      end: () =>
        new Promise<void>((resolve) => {
          if (process.stdout.writableNeedDrain) process.stdout.once('drain', resolve);
          else resolve();
        }),
    };
  }
  const stream = createWriteStream(path);
  stream.on('error', fail);
  return {
    write: (line) => {
      if (!failed) stream.write(line);
    },
    end: () =>
      new Promise<void>((resolve) => {
        if (failed || stream.destroyed) resolve();
        else stream.end(() => resolve());
      }),
  };
}
