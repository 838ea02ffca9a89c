/**
 * What a request carries in its Context: id, span and logger, under one typed key. Handlers get the ctx as
 * `req.ctx` (declaration merging below) and, deeper in the call chain, as `current()`.
 */
import type { Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { type Context, createKey, current } from '../context/index.js';

/** The request-scoped facts the service puts in every request's Context. */
export interface RequestInfo {
  /** The request id: `X-Request-Id` when the client sent a sane one, else generated; echoed in the response. */
  readonly id: string;
  /** The request's server span (non-recording unless tracing exports). */
  readonly span: Span;
  /** The request's logger: every line carries `reqId` and `traceId`. */
  readonly log: Logger;
}

/** The key under which the service stores {@link RequestInfo} in a request's Context. */
export const requestInfoKey = createKey<RequestInfo>('headroom.request');

/**
 * The request facts carried by `ctx` (by default the implicit `current()`), or undefined outside a request.
 * @example requestInfo()?.log.info('deep in the call chain')
 */
export function requestInfo(ctx: Context = current()): RequestInfo | undefined {
  return ctx.value(requestInfoKey);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's headroom Context: deadline, cancellation, request id, span and logger. */
    ctx: Context;
  }
}
