/**
 * The timeout a client asks for: `X-Request-Timeout` (a Go-style duration, `250ms`) or gRPC's `grpc-timeout`
 * (`250m`, `2S`), capped by the service's `REQUEST_TIMEOUT`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseDuration } from '../units/duration.js';

const GRPC_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;

/**
 * The request's timeout in ms: the client's ask when present, never more than `capMs`; `undefined` when a
 * header is present but malformed (the caller answers 400).
 * @example requestTimeoutMs({ 'x-request-timeout': '250ms' }, 10_000) // 250
 */
export function requestTimeoutMs(headers: IncomingHttpHeaders, capMs: number): number | undefined {
  const asked = headers['x-request-timeout'];
  if (typeof asked === 'string') {
    try {
      return Math.min(parseDuration(asked), capMs);
    } catch {
      return undefined;
    }
  }
  const grpc = headers['grpc-timeout'];
  if (typeof grpc === 'string') {
    const match = GRPC_TIMEOUT.exec(grpc.trim());
    if (!match) return undefined;
    return Math.min(Number(match[1]) * (GRPC_UNIT_MS[match[2] as string] as number), capMs);
  }
  return capMs;
}
