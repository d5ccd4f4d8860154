// Errors the HTTP layer answers before fastify routes a request (431 headers too large, 400
// unparsable request, 408 timeout, 417 unknown Expect) get the API's `{ code, message, details }`
// shape too.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** The answer to a client error of the HTTP parser: status, stable code and message. */
export function clientErrorAnswer(err: Error & { code?: string }): {
  status: number;
  code: string;
  message: string;
} {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'request headers are too large' };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request took too long to arrive' };
  }
  return {
    status: 400,
    code: 'MALFORMED_REQUEST',
    message: `not a valid HTTP request (${err.code ?? 'parse error'})`,
  };
}

/** Fastify's `clientErrorHandler`: writes the JSON error answer on the raw socket and closes it. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const a = clientErrorAnswer(err);
  const body = JSON.stringify({ code: a.code, message: a.message, details: {} });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Answers `Expect` values other than 100-continue with a JSON 417 (Node's own answer has no body). */
export function answerUnknownExpectations(app: FastifyInstance): void {
  app.server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({
      code: 'EXPECTATION_FAILED',
      message: `Expect: ${String(req.headers.expect)} is not supported (only 100-continue)`,
      details: {},
    });
    res.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
}
