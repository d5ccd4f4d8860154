import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (26 chars, Crockford base32): 48 bits of epoch ms then 80 random bits; sorts by time. */
export function ulid(nowMs: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD.charAt((bytes[i] ?? 0) % 32);
  return time + rand;
}

/** A prefixed id such as `run_01J…`, sortable by creation time. */
export function newId(prefix: string, nowMs: number): string {
  return `${prefix}_${ulid(nowMs).toLowerCase()}`;
}
