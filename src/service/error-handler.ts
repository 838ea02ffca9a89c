/**
 * Errors as JSON `{ "error": "…" }` with the right status: 4xx carry their message (malformed JSON 400, oversize
 * body 413, validation 400), 5xx carry only the status text — never a stack or an internal message — and are
 * logged with the error. A context that ended maps to 504 (deadline) or 503 (cancelled).
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCanceled, isDeadlineExceeded } from '../context/index.js';

/** The JSON error body every headroom service answers with. */
export interface ErrorBody {
  error: string;
}

const NOT_FOUND: ErrorBody = { error: 'not found' };

/** Maps any thrown value to a status and a body that is safe to send. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isDeadlineExceeded(error)) return { status: 504, body: { error: 'deadline exceeded' } };
  if (isCanceled(error)) return { status: 503, body: { error: 'request canceled' } };
  const fe = error as Partial<FastifyError> | undefined;
  const status =
    typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode <= 599
      ? fe.statusCode
      : fe?.validation
        ? 400
        : 500;
  if (status >= 500) return { status, body: { error: (STATUS_CODES[status] ?? 'error').toLowerCase() } };
  const message = typeof fe?.message === 'string' && fe.message !== '' ? fe.message : STATUS_CODES[status];
  return { status, body: { error: message ?? 'bad request' } };
}

/** Answers 404 JSON (an unknown path). */
export function answerNotFound(_req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(NOT_FOUND);
}

/**
 * Installs the JSON error and not-found handlers on `app`. The request hooks answer an unknown path in their
 * `onRequest` hook with {@link answerNotFound}, before its body is read: a 404 whatever the body (fastify would parse
 * it first, and answer a bad one with 400 or 415), counted and logged like any request.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorResponse(error);
    if (status >= 500 && status !== 504 && status !== 503) req.log.error({ err: error }, 'request failed');
    else req.log.debug({ err: error }, 'request rejected');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(answerNotFound);
}
