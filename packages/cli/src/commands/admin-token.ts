import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TOKEN_PREFIX, assertTokenFormat } from '@stampede/controller';
import { UsageError } from '../cli-error.ts';

/** Refuses a malformed STAMPEDE_ADMIN_TOKEN before the controller starts, naming the variable and the form. */
export function checkAdminTokenEnv(value: string | undefined, usage: string): void {
  if (value === undefined || value === '') return;
  try {
    assertTokenFormat(value, API_TOKEN_PREFIX);
  } catch {
    throw new UsageError(
      `STAMPEDE_ADMIN_TOKEN: expected "${API_TOKEN_PREFIX}" followed by 43 base64url characters (32 random bytes), ` +
        `got ${value.length} characters; make one with: ` +
        `node -e "console.log('${API_TOKEN_PREFIX}' + require('crypto').randomBytes(32).toString('base64url'))"`,
      usage,
    );
  }
}

/**
 * Hands a newly made admin token to the person starting the controller, once and never to a
 * log: on the terminal when stdout is one, else in a file only the owner can read.
 */
export function adminTokenLines(token: string, dataDir: string, stdoutIsTty: boolean): string[] {
  if (stdoutIsTty) return [`  admin API token (shown once, stored hashed): ${token}`];
  const file = join(dataDir, 'admin-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return [
    `  admin API token: written to ${file} (owner-only; stdout is not a terminal, so it is not printed).`,
    '  Read it, keep it somewhere safe, then delete the file.',
  ];
}
