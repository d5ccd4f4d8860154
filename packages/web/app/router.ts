// Hash routing: every page has a shareable URL (`#/runs/<id>`, `#/runs?status=failed`) and the
// browser's back and forward buttons move between pages, with no server route besides `/`.
import { useEffect, useState } from 'preact/hooks';

/** A parsed location: the path segments after `#/` and the query. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

/** Parses a hash such as `#/runs?status=failed`. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  return { parts, query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)) };
}

/** The href of a page: `href('runs', id)` is `#/runs/<id>`. */
export function href(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

/** The href of the runs list with a query (empty values left out). */
export function hrefWithQuery(path: string, query: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ''));
  const s = q.toString();
  return `#/${path}${s === '' ? '' : '?' + s}`;
}

/** The current route, updated on every hash change (links, back, forward). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
