/** Request ids: the client's `X-Request-Id` when it is sane, else a fresh UUID. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * fastify's `genReqId`: the `X-Request-Id` header when it is 1-128 safe characters (no spaces, quotes or
 * control characters that could forge log lines), else `randomUUID()`.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}
