import { CookieJar } from 'tough-cookie';
import type { CookieStore } from '../transport/http/index.ts';

/**
 * A VU's cookie jar that exists only once a response set a cookie: most tests never get one, and
 * a tough-cookie jar per VU is a large share of an idle VU's memory and of a request's CPU.
 */
export class LazyCookieJar implements CookieStore {
  #jar: CookieJar | null = null;

  getCookieStringSync(url: string): string {
    return this.#jar === null ? '' : this.#jar.getCookieStringSync(url);
  }

  setCookieSync(cookie: string, url: string, options: { ignoreError: boolean }): unknown {
    this.#jar ??= new CookieJar();
    return this.#jar.setCookieSync(cookie, url, options);
  }

  /** Forgets every cookie (drops the jar until the next cookie arrives). */
  clear(): void {
    this.#jar = null;
  }
}
