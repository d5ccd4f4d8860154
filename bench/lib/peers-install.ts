// Installing the peer tools: wrk and nginx from Debian (apt-get), autocannon from npm into
// bench/.peers (git-ignored), never into the project.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, has, sh } from './children.ts';

const PEERS_DIR = join(BENCH_DIR, '.peers');
/** autocannon's entry script once installed. */
export const AUTOCANNON_JS = join(PEERS_DIR, 'node_modules', 'autocannon', 'autocannon.js');

/** Makes sure `binary` exists, installing Debian package `pkg` if needed; false when impossible. */
export function aptInstall(pkg: string, binary: string): boolean {
  if (has(binary)) return true;
  if (!has('apt-get')) return false;
  const args = ['-y', '-q', 'install', pkg];
  if (sh('apt-get', args, `installing ${pkg}`) && has(binary)) return true;
  return (
    sh('apt-get', ['-q', 'update'], 'apt-get update') &&
    sh('apt-get', args, `installing ${pkg}`) &&
    has(binary)
  );
}

/** Makes sure autocannon is installed in bench/.peers; false when impossible. */
export function ensureAutocannon(): boolean {
  if (existsSync(AUTOCANNON_JS)) return true;
  mkdirSync(PEERS_DIR, { recursive: true });
  sh(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, 'autocannon'],
    'installing autocannon into bench/.peers',
  );
  return existsSync(AUTOCANNON_JS);
}
