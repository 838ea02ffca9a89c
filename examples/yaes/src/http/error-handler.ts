/**
 * Maps every failure to a deliberate status and a `{ "error": "..." }` body — one response per request
 * (the original wrote an error and then `null` into the same body, and turned every error into a 422).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isContextError, isDeadlineExceeded } from 'headroom-kit/context';
import { AppError } from '../errors.js';

/** Fastify's body errors, mapped to the contract's statuses (bad JSON is a 422, as in the original). */
const FASTIFY_CODES: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 422, message: 'malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 422, message: 'empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'invalid Content-Length' },
};

/**
 * The YAES error handler (set in the routes' plugin scope).
 * @example app.setErrorHandler(errorHandler)
 */
export function errorHandler(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (reply.sent) return;
  const { code, statusCode } = error as Partial<FastifyError>;
  const { message } = error;
  const known = code ? FASTIFY_CODES[code] : undefined;
  if (error instanceof AppError) {
    reply.code(error.status).send({ error: error.message });
  } else if (known) {
    reply.code(known.status).send({ error: known.message });
  } else if (isContextError(error) || req.ctx.err) {
    const late = isDeadlineExceeded(error) || isDeadlineExceeded(req.ctx.err);
    reply.code(late ? 504 : 503).send({ error: late ? 'deadline exceeded' : 'request cancelled' });
  } else if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    reply.code(statusCode).send({ error: message });
  } else {
    req.log.error({ err: error }, 'unhandled error');
    reply.code(500).send({ error: 'internal server error' });
  }
}
