/**
 * The target of a run: the parsed base URL (origin, host header, default path) and a reachability probe, so an
 * unreachable target fails at the start with one clear line instead of a run full of connection errors.
 */
import net from 'node:net';
import tls from 'node:tls';
import { UsageError } from '../errors.js';

/** A parsed `http://` or `https://` target. */
export interface Target {
  url: string;
  tls: boolean;
  host: string;
  port: number;
  /** The `Host` header value. */
  hostHeader: string;
  /** `http://host:port`, the base for scenario paths. */
  origin: string;
  /** Path and query of the URL, `/` when absent. */
  path: string;
}

/** Whether `host` (a name or an address, without brackets) is this machine: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return (
    name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name)
  );
}

/**
 * Parses a target URL.
 * @throws UsageError for anything but an absolute http(s) URL.
 */
export function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid URL "${url}" (expected e.g. http://127.0.0.1:8080/)`, { option: 'url' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`unsupported protocol "${parsed.protocol}" in ${url} (http or https)`, {
      option: 'url',
    });
  }
  const secure = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    url,
    tls: secure,
    host,
    port: parsed.port ? Number(parsed.port) : secure ? 443 : 80,
    hostHeader: parsed.host,
    origin: parsed.origin,
    path: `${parsed.pathname || '/'}${parsed.search}`,
  };
}

/**
 * Opens one connection (and TLS handshake) to the target and closes it.
 * @throws UsageError `cannot reach <url>: <reason>` when that fails within `timeoutMs`.
 */
export function probeTarget(target: Target, insecure: boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dialTarget(target, insecure);
    const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs}ms`)), timeoutMs);
    const fail = (error: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      reject(unreachableError(target, error));
    };
    socket.once('error', fail);
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
  });
}

/** Opens one socket to the target: TLS (SNI, certificate checked unless `insecure`, offering `alpn`) or plain TCP. */
export function dialTarget(target: Target, insecure: boolean, alpn?: string[]): net.Socket {
  return target.tls
    ? tls.connect({
        host: target.host,
        port: target.port,
        servername: sni(target.host),
        rejectUnauthorized: !insecure,
        ...(alpn ? { ALPNProtocols: alpn } : {}),
      })
    : net.connect({ host: target.host, port: target.port });
}

/** `cannot reach <url>: <reason>` for a start-of-run check that failed (`--insecure?` for a self-signed certificate). */
export function unreachableError(target: Target, error: Error & { code?: string }): UsageError {
  const hint = error.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || error.code === 'SELF_SIGNED_CERT_IN_CHAIN';
  return new UsageError(
    `cannot reach ${target.url}: ${error.code ?? error.message}${hint ? ' (--insecure?)' : ''}`,
    {
      code: 'unreachable',
    },
  );
}

/** The TLS server name for a host: none for IP addresses (SNI forbids them). */
export function sni(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}
