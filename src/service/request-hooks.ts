/**
 * The request lifecycle every route gets: admission (overload shedding), the request Context (deadline, id,
 * span, logger), handlers run inside it, and on the way out the access line, RED metrics and span end.
 * The hot path allocates only what a request needs: one child logger, one span, two context nodes.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteHandlerMethod,
} from 'fastify';
import type { Logger } from 'pino';
import {
  afterFunc,
  type CancelFunc,
  type Context,
  isContextError,
  isDeadlineExceeded,
  run,
  withTimeout,
  withValue,
} from '../context/index.js';
import type { ServiceConfig } from './config.js';
import { type HttpMetrics, type ShedReason, UNMATCHED_ROUTE } from './http-metrics.js';
import type { LoopMonitor } from './loop-monitor.js';
import { type RequestInfo, requestInfoKey } from './request-context.js';
import { requestTimeoutMs } from './request-deadline.js';
import { startRequestSpan, type Tracing, withActiveSpan } from './tracing.js';

/** Internal: the cancel function of an admitted request's Context (null when the request was not admitted). */
export const kCancel: unique symbol = Symbol('headroom.cancel');

declare module 'fastify' {
  interface FastifyRequest {
    [kCancel]: CancelFunc | null;
  }
}

/** What the request hooks need from the service. */
export interface RequestHooksOptions {
  config: ServiceConfig;
  logger: Logger;
  metrics: HttpMetrics;
  tracing: Tracing;
  monitor: LoopMonitor;
  /** The service's root Context: cancelling it (grace period over) cancels every request. */
  root: Context;
}

const OVERLOADED = { error: 'overloaded, retry later' };
const BAD_TIMEOUT = { error: 'invalid X-Request-Timeout or grpc-timeout header (use e.g. 250ms)' };
const DEADLINE_EXCEEDED = { error: 'deadline exceeded' };

/** Installs the lifecycle hooks on `app` (the public instance, before any route is added). */
export function installRequestHooks(app: FastifyInstance, options: RequestHooksOptions): void {
  const { config, logger, metrics, tracing, monitor, root } = options;
  const { maxInflight, maxEventLoopDelayMs, requestTimeoutMs: capMs } = config;

  app.decorateRequest('ctx', null as unknown as Context);
  app.decorateRequest(kCancel, null);

  app.addHook('onRoute', (route) => {
    route.handler = runInRequestContext(route.handler, tracing.recording);
  });

  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    reply.header('x-request-id', req.id);
    let shed: ShedReason | undefined;
    if (maxInflight > 0 && metrics.inflight >= maxInflight) shed = 'inflight';
    else if (maxEventLoopDelayMs > 0 && monitor.delayMs > maxEventLoopDelayMs) shed = 'event_loop_delay';
    if (shed !== undefined) {
      metrics.shed(shed);
      reply.code(503).header('retry-after', '1').send(OVERLOADED);
      return;
    }
    const timeoutMs = requestTimeoutMs(req.headers, capMs);
    if (timeoutMs === undefined) {
      reply.code(400).send(BAD_TIMEOUT);
      return;
    }
    metrics.inflight++;
    const span = startRequestSpan(
      tracing,
      tracing.recording ? `${req.method} ${req.routeOptions.url ?? UNMATCHED_ROUTE}` : 'request',
      req.headers.traceparent,
    );
    const log = logger.child({ reqId: req.id, traceId: span.spanContext().traceId });
    req.log = log;
    reply.log = log;
    const [deadlineCtx, cancel] = withTimeout(root, timeoutMs);
    const info: RequestInfo = { id: req.id, span, log };
    req.ctx = withValue(deadlineCtx, requestInfoKey, info);
    req[kCancel] = cancel;
    if (deadlineCtx.err) {
      reply.code(504).send(DEADLINE_EXCEEDED);
      return;
    }
    afterFunc(deadlineCtx, () => {
      if (!reply.sent && isDeadlineExceeded(deadlineCtx.err)) reply.code(504).send(DEADLINE_EXCEEDED);
    });
    done();
  });

  // Go's net/http cancels the request context when the client goes away; so do we.
  app.addHook('onRequestAbort', (req: FastifyRequest, done: HookHandlerDoneFunction) => {
    finish(req, 499);
    done();
  });

  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const status = reply.statusCode;
    const route = req.routeOptions.url ?? UNMATCHED_ROUTE;
    const ms = reply.elapsedTime;
    finish(req, status);
    metrics.observe(req.method, route, status, ms / 1000);
    const rounded = Math.round(ms * 1000) / 1000;
    // Requests refused before admission have no child logger: bind the id on the line itself.
    if (req.log === logger)
      logger.info({ reqId: req.id, method: req.method, route, status, ms: rounded }, 'request');
    else req.log.info({ method: req.method, route, status, ms: rounded }, 'request');
    done();
  });

  /** Ends an admitted request: cancels its Context, ends its span, releases its in-flight slot. */
  function finish(req: FastifyRequest, status: number): void {
    const cancel = req[kCancel];
    if (cancel === null) return;
    req[kCancel] = null;
    metrics.inflight--;
    cancel();
    const span = req.ctx.value(requestInfoKey)?.span;
    if (span?.isRecording()) {
      span.setAttribute('http.response.status_code', status);
      span.setAttribute('http.route', req.routeOptions.url ?? UNMATCHED_ROUTE);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span?.end();
  }
}

/**
 * Wraps a route handler so it runs with the request's Context as `current()` (and its span active when tracing
 * records), and so a result or error arriving after the reply was sent (the deadline's 504) is dropped quietly.
 */
function runInRequestContext(handler: RouteHandlerMethod, recording: boolean): RouteHandlerMethod {
  return function headroomHandler(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    const ctx = req.ctx;
    const call = () => handler.call(this, req, reply);
    const span = recording ? ctx?.value(requestInfoKey)?.span : undefined;
    const result: unknown = ctx
      ? run(ctx, span ? () => withActiveSpan(span, call) : call)
      : handler.call(this, req, reply);
    if (!(result instanceof Promise)) return result;
    return result.then(
      (value: unknown) => (reply.sent ? undefined : value),
      (error: unknown) => {
        if (!reply.sent) throw error;
        if (!isContextError(error)) req.log.warn({ err: error }, 'handler failed after the reply was sent');
        return undefined;
      },
    );
  };
}
