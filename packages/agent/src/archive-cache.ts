// The agent's cache of test archives (<dataDir>/archives/<sha256>.json): bounded in size, the
// least recently used archives removed first. Use is recorded as the file's modification time,
// set on every hit, so the order survives restarts.
import { readdir, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** Default size cap of the archive cache, bytes (1 GiB). */
export const DEFAULT_ARCHIVE_CACHE_BYTES = 1024 * 1024 * 1024;

/** Records that the archive at `path` was just used (now, epoch ms). */
export async function touchArchive(path: string, nowMs: number): Promise<void> {
  const t = new Date(nowMs);
  await utimes(path, t, t).catch(() => undefined);
}

/**
 * Removes the least recently used archives of `dir` until the rest fit in `maxBytes`; `keep`
 * (the archive of the run being prepared) is never removed. Answers the names removed.
 */
export async function pruneArchiveCache(
  dir: string,
  maxBytes: number,
  keep: string,
): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const files = [];
  for (const name of names) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) files.push({ name, bytes: s.size, usedMs: s.mtimeMs });
  }
  let total = files.reduce((n, f) => n + f.bytes, 0);
  const removed: string[] = [];
  files.sort((a, b) => a.usedMs - b.usedMs || (a.name < b.name ? -1 : 1));
  for (const f of files) {
    if (total <= maxBytes) break;
    if (f.name === keep) continue;
    await unlink(join(dir, f.name)).catch(() => undefined);
    total -= f.bytes;
    removed.push(f.name);
  }
  return removed;
}
