#!/usr/bin/env node
// Entry shim kept in plain JavaScript so that it runs on any Node: it re-executes itself on the
// project's pinned Node 24 when started by an older one (for example the system Node 20 via npx).
//
// The launcher is the child's only signal path: the child runs in a session of its own (so a
// terminal's Ctrl-C reaches it once, forwarded, not twice), every SIGINT/SIGTERM/SIGHUP is
// forwarded, and an IPC channel ties the child to the launcher: when the launcher dies, even by
// SIGKILL, the channel closes and the child stops its load at once (packages/cli/src/launcher-link.ts).
import { spawn } from 'node:child_process';
import module from 'node:module';
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
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, STAMPEDE_LAUNCHER_IPC: '1' },
    // A new session on POSIX; on Windows `detached` would open a console window instead.
    detached: process.platform !== 'win32',
  });
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => {
    try {
      child.kill(signal);
    } catch {
      // The child is already gone; its exit handler ends the launcher.
    }
  };
  for (const signal of forwarded) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`stampede: cannot start ${pinned}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, forward);
    if (code !== null) process.exit(code);
    // Killed by a signal the child did not handle: die the same way, as a shell expects.
    process.kill(process.pid, signal ?? 'SIGTERM');
    process.exit(1);
  });
} else {
  // Node's on-disk compile cache (keyed by each file's source hash, so never stale) saves the
  // type stripping and compiling of the CLI's TypeScript on every start after the first: about
  // 100 ms of a short command such as `stampede compare` (bench/compare-cli.ts).
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  module.enableCompileCache?.();
  await import('../src/launcher-link.ts');
  await import('../src/main.ts');
}
