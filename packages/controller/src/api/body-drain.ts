// An error answered before the body was read (413 on Content-Length, 401, 415) waits until the
// client has sent its body, up to a bound: clients that write the whole body before reading
// then get the answer instead of EPIPE or a reset connection.
import type { IncomingMessage } from 'node:http';

/** Most bytes of an unread body drained before an error answer; beyond it the connection is closed. */
export const MAX_DRAIN_BYTES = 128 * 1024 * 1024;
/** Longest wait for an unread body before an error answer, ms. */
export const MAX_DRAIN_MS = 10_000;

/** Reads and discards what is left of the request body; true when it ended within the bounds. */
export function drainRequest(
  raw: IncomingMessage,
  maxBytes: number = MAX_DRAIN_BYTES,
  maxMs: number = MAX_DRAIN_MS,
): Promise<boolean> {
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onEnd);
      raw.off('close', onEnd);
      if (!ok) raw.pause();
      resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) finish(false);
    };
    const onEnd = (): void => finish(true);
    const timer = setTimeout(() => finish(false), maxMs);
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onEnd);
    raw.on('close', onEnd);
    raw.resume();
  });
}
