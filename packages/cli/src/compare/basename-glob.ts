// Globs whose wildcards are all in the file name (`runs/base.*.json`, the usual case) are matched
// against one directory listing instead of through fs.glob: loading fs.glob's matcher cost about
// 22 ms of a 200 ms `stampede compare` (bench/compare-cli.ts). Anything else goes to fs.glob.
import { glob, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const WILDCARD = /[*?[\]{}]/;

/** The paths matching `pattern`, in directory order (callers sort). */
export async function globPaths(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (WILDCARD.test(dir) || pattern.endsWith('/')) {
    const out: string[] = [];
    for await (const path of glob(pattern)) out.push(path);
    return out;
  }
  const matcher = nameMatcher(name);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => matcher.test(e) && (!e.startsWith('.') || name.startsWith('.')))
    .map((e) => join(dir, e));
}

/** A regular expression for one path segment's glob: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}`. */
export function nameMatcher(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  if (braces > 0) return new RegExp(`^${escapeAll(glob)}$`);
  return new RegExp(`^${re}$`);
}

function escapeAll(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
