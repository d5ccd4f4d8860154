// Writing a file so that it survives a crash or power loss once the call returns: the bytes go
// to a temporary file that is flushed to disk (fsync) before it is renamed into place, and the
// directory is flushed so the rename itself is on disk.
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `data` to `path` durably (temporary file, fsync, rename, fsync of the directory). */
export async function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some systems cannot open or fsync a directory; the file itself is already on disk.
  } finally {
    await handle?.close();
  }
}
