import { isIP } from 'node:net';
import { HttpError } from '../transport/http/errors.ts';
import { bodyToBuffer, serializeRequestHead } from '../transport/http/request-serializer.ts';
import type { FastRequestTemplate } from './types.ts';

/** A template serialized once: the exact bytes written for every request made from it. */
export interface CompiledTemplate {
  /** Request head and body, ready to write. */
  bytes: Buffer;
  method: string;
  /** The `name` tag. */
  name: string;
  /** False for HEAD, whose response has no body. */
  expectBody: boolean;
  /** Status the check expects, or -1 for no check. */
  expectStatus: number;
}

/** Where the connections of a loop go. */
export interface FastOrigin {
  host: string;
  port: number;
  tls: boolean;
  /** SNI name, or undefined for an IP address. */
  servername: string | undefined;
}

/** Templates compiled for one loop, with their common origin. */
export interface CompiledTemplates {
  origin: FastOrigin;
  templates: CompiledTemplate[];
}

function originOf(url: URL): FastOrigin {
  const tls = url.protocol === 'https:';
  if (!tls && url.protocol !== 'http:') {
    throw new HttpError('EINVALID', `unsupported scheme ${JSON.stringify(url.protocol)}`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  return { host, port, tls, servername: tls && isIP(host) === 0 ? host : undefined };
}

/**
 * Serializes the templates into reusable buffers (Host, User-Agent, Content-Length, and
 * `Connection: close` when not `keepAlive`);
 * throws HttpError 'EINVALID' for a bad template or templates with different origins.
 */
export function compileTemplates(
  templates: readonly FastRequestTemplate[],
  userAgent: string,
  keepAlive = true,
): CompiledTemplates {
  if (templates.length === 0) throw new HttpError('EINVALID', 'no request templates');
  let origin: FastOrigin | undefined;
  let originKey = '';
  const compiled: CompiledTemplate[] = [];
  for (const t of templates) {
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      throw new HttpError('EINVALID', `invalid URL ${JSON.stringify(t.url)}`);
    }
    const o = originOf(url);
    const key = `${o.tls}|${o.host}|${o.port}`;
    if (origin === undefined) {
      origin = o;
      originKey = key;
    } else if (key !== originKey) {
      throw new HttpError('EINVALID', 'fast-path templates must share one origin');
    }
    const method = t.method.toUpperCase();
    const body = bodyToBuffer(t.body);
    const head = serializeRequestHead({
      method,
      target: url.pathname + url.search,
      host: url.host,
      userAgent,
      headers: t.headers,
      jarCookies: '',
      bodyLength: body === null ? -1 : body.length,
      keepAlive,
      stripCredentials: false,
      stripBodyHeaders: false,
    });
    compiled.push({
      bytes: body === null ? head : Buffer.concat([head, body]),
      method,
      name: t.name ?? t.url,
      expectBody: method !== 'HEAD',
      expectStatus: t.expectStatus ?? -1,
    });
  }
  return { origin: origin as FastOrigin, templates: compiled };
}
