/**
 * The HTTP/2 start-of-run check: one connection that must speak h2 (ALPN `h2` over TLS, or answer the h2c
 * preface with SETTINGS in clear text) and whose SETTINGS give the stream cap the result reports. A server that
 * speaks only HTTP/1.1 fails here with one clear line, before any load.
 */
import type tls from 'node:tls';
import { UsageError } from '../../errors.js';
import { dialTarget, type Target, unreachableError } from '../target.js';
import {
  applySettings,
  CLIENT_PREFACE,
  defaultPeerSettings,
  FRAME_HEADER,
  type PeerSettings,
  SETTINGS,
  SETTINGS_ACK,
} from './frames.js';

/**
 * Connects once over HTTP/2 and returns the server's settings.
 * @throws UsageError when the target is unreachable or does not speak HTTP/2.
 */
export function probeHttp2(target: Target, insecure: boolean, timeoutMs: number): Promise<PeerSettings> {
  return new Promise((resolve, reject) => {
    const socket = dialTarget(target, insecure, ['h2', 'http/1.1']);
    let received = Buffer.alloc(0);
    const timer = setTimeout(
      () => unreachable(new Error(`no HTTP/2 SETTINGS within ${timeoutMs}ms`)),
      timeoutMs,
    );
    const done = () => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
    };
    const unreachable = (error: Error & { code?: string }) => {
      done();
      reject(unreachableError(target, error));
    };
    const notHttp2 = (why: string) => {
      done();
      reject(new UsageError(`${target.url} does not speak HTTP/2: ${why}`, { option: 'http2' }));
    };
    socket.once('error', unreachable);
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      if (target.tls) {
        const chosen = (socket as tls.TLSSocket).alpnProtocol;
        if (chosen !== 'h2') {
          notHttp2(`TLS ALPN chose ${chosen ? chosen : 'no protocol'} (the server does not offer h2)`);
          return;
        }
      }
      socket.write(CLIENT_PREFACE);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < FRAME_HEADER) return;
      const size = received.readUIntBE(0, 3);
      if (received[3] !== SETTINGS || size % 6 !== 0 || size > 1024) {
        const text = received.toString('latin1', 0, 8);
        notHttp2(
          text.startsWith('HTTP/')
            ? 'the server answered the h2c preface with HTTP/1.x (it has no h2c with prior knowledge)'
            : 'the server did not answer the preface with SETTINGS',
        );
        return;
      }
      if (received.length < FRAME_HEADER + size) return;
      const settings = defaultPeerSettings();
      applySettings(settings, received, FRAME_HEADER, size);
      socket.write(SETTINGS_ACK);
      done();
      resolve(settings);
    });
    socket.once('close', () =>
      notHttp2('the server closed the connection after the h2c preface (no h2c with prior knowledge)'),
    );
  });
}
