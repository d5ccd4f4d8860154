// Why: a server's response heads repeat from one response to the next (the same field names, and
// mostly the same values). Making two strings per field of every response, and lower-casing the
// name, cost about 5% of the scripted path's CPU against nginx; comparing the bytes with strings
// already made is cheaper and allocates nothing.

/** Common response field names, lower case; a name of this list is never allocated again. */
const COMMON_NAMES = [
  'accept-ranges',
  'access-control-allow-origin',
  'age',
  'alt-svc',
  'cache-control',
  'connection',
  'content-encoding',
  'content-language',
  'content-length',
  'content-security-policy',
  'content-type',
  'date',
  'etag',
  'expires',
  'keep-alive',
  'last-modified',
  'location',
  'pragma',
  'server',
  'set-cookie',
  'strict-transport-security',
  'transfer-encoding',
  'vary',
  'via',
  'x-content-type-options',
  'x-frame-options',
  'x-powered-by',
  'x-request-id',
];

const NAMES_BY_LENGTH: (string[] | undefined)[] = [];
for (const name of COMMON_NAMES) (NAMES_BY_LENGTH[name.length] ??= []).push(name);

/** Whether `b[s..e)` equals `str` when ASCII letters of `b` are folded to lower case. */
function equalsFolded(b: Uint8Array, s: number, str: string): boolean {
  for (let k = 0; k < str.length; k++) {
    // The bytes are token characters: | 0x20 folds letters and leaves '-', digits and '_' alone.
    if ((b[s + k]! | 0x20) !== str.charCodeAt(k)) return false;
  }
  return true;
}

/** Whether `b[s..e)` is exactly the latin1 string `str` (e - s === str.length). */
function equalsLatin1(b: Uint8Array, s: number, str: string): boolean {
  for (let k = 0; k < str.length; k++) if (b[s + k] !== str.charCodeAt(k)) return false;
  return true;
}

/**
 * The lower-case field name of the token `b[s..e)`: a string of the common-name list when it is
 * one, else a new string. `hasUpper` says whether the bytes contain an upper-case letter.
 */
export function fieldName(b: Buffer, s: number, e: number, hasUpper: boolean): string {
  const candidates = NAMES_BY_LENGTH[e - s];
  if (candidates !== undefined) {
    for (const name of candidates) if (equalsFolded(b, s, name)) return name;
  }
  const name = b.toString('latin1', s, e);
  return hasUpper ? name.toLowerCase() : name;
}

/**
 * Remembers the last value of each common field name on one connection, so an unchanged value
 * (Server, Content-Type, Connection…) is the same string again instead of a new one.
 */
export class FieldValueCache {
  readonly #last = new Map<string, string>();

  /** The latin1 string of `b[s..e)`, value of field `name`. */
  value(name: string, b: Buffer, s: number, e: number): string {
    const last = this.#last.get(name);
    if (last !== undefined && last.length === e - s && equalsLatin1(b, s, last)) return last;
    const value = b.toString('latin1', s, e);
    // Only common names: a server sending ever new names cannot grow the map.
    if (NAMES_BY_LENGTH[name.length]?.includes(name) === true) this.#last.set(name, value);
    return value;
  }
}
