// What a test archive is: bytes of UTF-8 JSON matching the protocol's TestArchive schema. Pure,
// so the archive worker thread runs it as well as the main thread.
import { testArchiveSchema, type TestArchive } from '@stampede/protocol';
import { ApiError, toApiIssues } from './errors.ts';

/** Parses bytes as a test archive; INVALID_ARCHIVE (422) naming the problem otherwise. */
export function parseArchive(bytes: Uint8Array, what = 'body'): TestArchive {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('INVALID_ARCHIVE', `${what}: not UTF-8 text (a test archive is JSON)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ApiError('INVALID_ARCHIVE', `${what}: not JSON (${(err as Error).message})`);
  }
  const parsed = testArchiveSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issues = toApiIssues(parsed.error.issues, what);
    throw new ApiError(
      'INVALID_ARCHIVE',
      `${what}: not a test archive: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  return parsed.data;
}
