/**
 * What a request carries in its Context: id, span and logger, under one typed key. Handlers get the ctx as
 * `req.ctx` (declaration merging below) and, deeper in the call chain, as `current()`.
 */
import type { Span } from '@opentelemetry/api';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { CancelContext, type DeadlineTimer } from '../context/cancel-context.js';
import { type Context, createKey, current, type Key } from '../context/index.js';

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

/**
 * A request's Context as one object (internal): its deadline, cancellable, carrying the {@link RequestInfo} under
 * {@link requestInfoKey} — what `withValue(withTimeout(root, ms), requestInfoKey, info)` is, without the value node,
 * the tuple and the cancel closure. When its own deadline passes (the shared timer, its own, or a late `err` read),
 * `onDeadline` runs in a microtask, as an `afterFunc` would, without a registration per request.
 */
export class RequestContext extends CancelContext {
  /**
   * Called once the deadline has passed; a plain field, not `#private`: the base constructor may expire a deadline
   * already past before this one is set (that one is the caller's to see, through `err`).
   */
  readonly _onDeadline: (ctx: RequestContext) => void;

  /** The request's reply: the 504 and an aborted request's elapsed time go through it. */
  readonly reply: FastifyReply;

  /**
   * `at` is the deadline (epoch ms); `shared`, the timer enforcing it when it is the service's default timeout
   * (undefined: a timer of its own, for a shorter asked one).
   */
  constructor(
    parent: Context,
    info: RequestInfo,
    reply: FastifyReply,
    at: number,
    shared: DeadlineTimer | undefined,
    onDeadline: (ctx: RequestContext) => void,
  ) {
    super(
      parent,
      'WithTimeout.WithValue(headroom.request)',
      at,
      undefined,
      shared,
      requestInfoKey as Key<unknown>,
      info,
    );
    this.reply = reply;
    this._onDeadline = onDeadline;
  }

  /** The request facts it carries. */
  get info(): RequestInfo {
    return this._val as RequestInfo;
  }

  override _expire(): void {
    const before = this._state;
    super._expire();
    const onDeadline = this._onDeadline as ((ctx: RequestContext) => void) | undefined;
    if (this._state !== before && onDeadline !== undefined) queueMicrotask(() => onDeadline(this));
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's headroom Context: deadline, cancellation, request id, span and logger. */
    ctx: Context;
  }
}
