#!/usr/bin/env node
// Entry shim kept in plain JavaScript so that it runs on any Node: it re-executes itself on the
// project's pinned Node 24 when started by an older one (for example the system Node 20 via npx).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  let pinned;
  for (let i = 0; i < 8 && !pinned; i++) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) pinned = candidate;
    dir = dirname(dir);
  }
  if (!pinned) {
    process.stderr.write(
      `stampede needs Node >= 22.18 (this is ${process.version}); run npm install\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
} else {
  await import('../src/main.ts');
}
