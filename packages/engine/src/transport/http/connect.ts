import { lookup } from 'node:dns';
import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { CancelScope } from './cancel.ts';
import { HttpError, toHttpError } from './errors.ts';
import type { TimingMarks } from './timings.ts';

/** Where and how to open a connection. */
export interface DialTarget {
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  tls: boolean;
  rejectUnauthorized: boolean;
  localAddress: string | undefined;
}

/**
 * Opens a TCP (and TLS) connection, recording connectStartMs/connectedMs/tlsDoneMs in `marks`.
 * Rejects with an HttpError; cancelling `scope` destroys the half-open socket.
 */
export function dial(target: DialTarget, marks: TimingMarks, scope: CancelScope): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    let socket: Socket | null = null;
    let settled = false;
    const fail = (err: HttpError): void => {
      if (settled) return;
      settled = true;
      scope.setHook(null);
      socket?.destroy();
      reject(err);
    };
    scope.setHook(fail);
    if (settled) return;
    marks.connectStartMs = performance.now();
    marks.tls = target.tls;

    const connectTo = (address: string): void => {
      if (settled) return;
      let handshaking = false;
      const onError = (err: Error): void => {
        fail(
          handshaking
            ? new HttpError('ETLS', `TLS handshake failed: ${err.message}`)
            : toHttpError(err),
        );
      };
      const onConnect = (): void => {
        marks.connectedMs = performance.now();
        if (target.tls) {
          handshaking = true;
          return;
        }
        done();
      };
      const done = (): void => {
        if (settled) return;
        settled = true;
        scope.setHook(null);
        // onError stays attached (a no-op now) so no error can go unhandled before the
        // connection installs its own listener.
        const s = socket!;
        s.setNoDelay(true);
        resolve(s);
      };
      if (target.tls) {
        // tls.connect does the TCP connect too; its 'connect' event separates the two phases.
        const s = tlsConnect({
          host: address,
          port: target.port,
          rejectUnauthorized: target.rejectUnauthorized,
          ALPNProtocols: ['http/1.1'],
          ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
          ...(target.localAddress !== undefined ? { localAddress: target.localAddress } : {}),
        });
        socket = s;
        s.once('secureConnect', () => {
          marks.tlsDoneMs = performance.now();
          done();
        });
      } else {
        socket = netConnect({
          host: address,
          port: target.port,
          ...(target.localAddress !== undefined ? { localAddress: target.localAddress } : {}),
        });
      }
      socket.on('error', onError);
      socket.once('connect', onConnect);
    };

    if (isIP(target.host) !== 0 || target.host === 'localhost') {
      connectTo(target.host);
      return;
    }
    lookup(target.host, (err, address) => {
      if (err !== null) fail(toHttpError(err));
      else connectTo(address);
    });
  });
}
