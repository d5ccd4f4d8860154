// Serves the web UI (packages/web) at `/`: the page, its script and its stylesheet, built in
// memory with esbuild on the first request and kept for the life of the process, so a fresh
// clone needs no build step before `npx stampede server`. The REST API stays under /api/v1.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { buildWebUi, type WebBuild } from '@stampede/web';

/**
 * Content-Security-Policy of every UI response: only this origin's script and stylesheet, no
 * inline script, no third-party host, no framing.
 */
export const WEB_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// One build per process, shared by every app (tests build many apps in one process).
let built: Promise<WebBuild> | undefined;

/** The built UI, building it on first use; a failed build is retried on the next request. */
export function webUiBuild(): Promise<WebBuild> {
  built ??= buildWebUi().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

async function sendAsset(reply: FastifyReply, path: string): Promise<FastifyReply> {
  const { assets } = await webUiBuild();
  const asset = assets.get(path);
  if (asset === undefined) {
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send({ code: 'NOT_FOUND', message: `no UI file /${path}`, details: { path: `/${path}` } });
  }
  return reply
    .header('content-security-policy', WEB_UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .type(asset.contentType)
    .send(Buffer.from(asset.body));
}

/** Routes of the web UI: `GET /` (the page) and `GET /assets/:file` (its script and stylesheet). */
export const webUiPlugin: FastifyPluginAsync = async (app) => {
  app.get('/', (_request, reply) => sendAsset(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/assets/:file', (request, reply) =>
    sendAsset(reply, `assets/${request.params.file}`),
  );
};
