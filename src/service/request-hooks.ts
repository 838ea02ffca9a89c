/**
 * The request lifecycle every route gets: admission (overload shedding), the request Context (deadline, id,
 * span, logger), handlers run inside it, and on the way out the access line, RED metrics and span end.
 * The hot path allocates only what a request needs: a request logger (one object, its bindings one string), one
 * Context object (deadline and request facts; its expiry answers the 504, no registration per request), and a span
 * only when the request is traced; the access line is one pre-assembled string.
 */
import type { Socket } from 'node:net';
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteHandlerMethod,
} from 'fastify';
import type { Logger } from 'pino';
import { DeadlineQueue } from '../context/deadline-queue.js';
import { type Context, isContextError, isDeadlineExceeded, run } from '../context/index.js';
import { AccessLog, requestLogger } from './access-log.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import type { ServiceConfig } from './config.js';
import { answerNotFound } from './error-handler.js';
import { type HttpMetrics, type ShedReason, UNMATCHED_ROUTE } from './http-metrics.js';
import type { LoopMonitor } from './loop-monitor.js';
import { RequestContext, type RequestInfo, requestInfoKey } from './request-context.js';
import { requestTimeoutMs } from './request-deadline.js';
import { ShedDelay } from './shed-delay.js';
import { startRequestSpan, type Tracing, UNTRACED, withActiveSpan } from './tracing.js';

/** An admitted request's Context, to cancel when it completes (null once it completed, or when refused). */
const kContext: unique symbol = Symbol('headroom.context');
/** True once the request's access line and RED metrics were recorded. */
const kRecorded: unique symbol = Symbol('headroom.recorded');
/** On a connection's socket: its admitted requests in flight (usually one; more when the client pipelines). */
const kInflight: unique symbol = Symbol('headroom.inflight');

declare module 'fastify' {
  interface FastifyRequest {
    [kContext]: RequestContext | null;
    [kRecorded]: boolean;
  }
}

/** A connection's socket, with the admitted requests in flight on it once it carried one. */
type Connection = Socket & { [kInflight]?: FastifyRequest[] };

/** What the request hooks need from the service. */
export interface RequestHooksOptions {
  /** The validated configuration (overload bounds, `REQUEST_TIMEOUT`). */
  config: ServiceConfig;
  /** The root logger: each admitted request gets a child bound to its `reqId` and `traceId`. */
  logger: Logger;
  /** Where RED metrics, the in-flight count and shed requests are recorded. */
  metrics: HttpMetrics;
  /** The process's tracing: one server span per admitted request. */
  tracing: Tracing;
  /** The event-loop delay the overload guard reads. */
  monitor: LoopMonitor;
  /** The adaptive in-flight limit (null: `ADAPTIVE_CONCURRENCY=off`, only `MAX_INFLIGHT`). */
  limiter: ConcurrencyLimit | null;
  /** The service's root Context: cancelling it (grace period over) cancels every request. */
  root: Context;
}

const OVERLOADED = { error: 'overloaded, retry later' };
const BAD_TIMEOUT = { error: 'invalid X-Request-Timeout or grpc-timeout header (use e.g. 250ms)' };
const DEADLINE_EXCEEDED = { error: 'deadline exceeded' };
/** nginx's status for "client closed the request before the response": the label of aborted requests. */
const CLIENT_CLOSED = 499;

/** Installs the lifecycle hooks on `app` (the public instance, before any route is added). */
export function installRequestHooks(app: FastifyInstance, options: RequestHooksOptions): void {
  const { config, logger, metrics, tracing, monitor, limiter, root } = options;
  const { maxInflight, maxEventLoopDelayMs, requestTimeoutMs: capMs } = config;
  const access = new AccessLog();
  // Requests that keep the default timeout share one deadline timer; a shorter asked one gets its own.
  const deadlines = new DeadlineQueue(capMs);
  // Refusals answered after SHED_DELAY, so clients that resend at once cannot turn the CPU into 503s.
  const tarpit = new ShedDelay(config.shedDelayMs);

  app.decorateRequest('ctx', null as unknown as Context);
  app.decorateRequest(kContext, null);
  app.decorateRequest(kRecorded, false);

  app.addHook('onRoute', (route) => {
    route.handler = runInRequestContext(route.handler, tracing.recording, config.implicitContext);
  });

  // Named hooks, so CPU profiles of a service show where its per-request cost goes.
  app.addHook('onRequest', function headroomOnRequest(req, reply, done: HookHandlerDoneFunction) {
    reply.header('x-request-id', req.id);
    // fastify has no logger of its own (create-service.ts): until admission binds the request's, the service's.
    req.log = logger;
    reply.log = logger;
    // Admission first: a refused request costs no span, logger or Context.
    let shed: ShedReason | undefined;
    if (maxInflight > 0 && metrics.inflight >= maxInflight) shed = 'inflight';
    else if (limiter !== null && metrics.inflight >= limiter.limit) {
      shed = 'concurrency';
      limiter.shed();
    } else if (maxEventLoopDelayMs > 0 && monitor.delayMs > maxEventLoopDelayMs) shed = 'event_loop_delay';
    if (shed !== undefined) {
      metrics.shed(shed);
      reply.code(503).header('retry-after', '1');
      tarpit.hold(() => reply.send(OVERLOADED));
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
      req.headers,
    );
    const log = requestLogger(logger, req.id, span === UNTRACED ? undefined : span.spanContext().traceId);
    req.log = log;
    reply.log = log;
    const info: RequestInfo = { id: req.id, span, log };
    const at = Date.now() + timeoutMs;
    const ctx = new RequestContext(
      root,
      info,
      reply,
      at,
      timeoutMs === capMs ? deadlines : undefined,
      answerDeadline,
    );
    req.ctx = ctx;
    req[kContext] = ctx;
    // The client going away is seen once per connection (its socket's `close`), not through a listener per request.
    const socket = req.raw.socket as Connection;
    let inflight = socket[kInflight];
    if (inflight === undefined) {
      inflight = socket[kInflight] = [];
      socket.on('close', connectionClosed);
    }
    inflight.push(req);
    if (ctx.err) {
      reply.code(504).send(DEADLINE_EXCEEDED);
      return;
    }
    // An unknown path: 404 now, before its body is read (fastify would parse it first, and answer a bad one 400).
    if (req.is404) {
      answerNotFound(req, reply);
      return;
    }
    done();
  });

  // Go's net/http cancels the request context when the client goes away; so do we, and record it as a 499 now
  // (the response may never finish). An HTTP/1.1 client cannot abort a request but by closing its connection; one
  // listener per connection instead of fastify's `onRequestAbort`, which adds a closure and a `close` listener to
  // every request.
  function connectionClosed(this: Connection): void {
    const inflight = this[kInflight];
    if (inflight === undefined) return;
    for (const req of inflight.splice(0)) {
      const ctx = req[kContext];
      if (ctx !== null) complete(req, CLIENT_CLOSED, ctx.reply.elapsedTime);
    }
  }

  app.addHook('onResponse', function headroomOnResponse(req, reply, done: HookHandlerDoneFunction) {
    complete(req, reply.statusCode, reply.elapsedTime);
    done();
  });

  /**
   * Records a request once (response finished or client gone): ends an admitted request's Context and span and
   * releases its in-flight slot, then counts it in the RED metrics and writes its access line.
   */
  function complete(req: FastifyRequest, status: number, ms: number): void {
    if (req[kRecorded]) return;
    req[kRecorded] = true;
    const route = req.routeOptions.url ?? UNMATCHED_ROUTE;
    metrics.observe(req.method, route, status, ms / 1000);
    const ctx = req[kContext];
    if (ctx === null) {
      // Refused before admission: no request logger yet, so one with the id only.
      access.write(requestLogger(logger, req.id, undefined), req.method, route, status, ms);
      return;
    }
    req[kContext] = null;
    const inflight = (req.raw.socket as Connection)[kInflight];
    if (inflight !== undefined) {
      if (inflight[inflight.length - 1] === req) inflight.pop();
      else {
        const at = inflight.indexOf(req);
        if (at >= 0) inflight.splice(at, 1);
      }
    }
    metrics.inflight--;
    limiter?.sample(ms);
    ctx._cancel();
    endSpan(ctx.info.span, status, route);
    access.write(req.log as Logger, req.method, route, status, ms);
  }
}

/** A request's deadline passed (its Context expired): answer 504 unless the reply is already on its way. */
function answerDeadline(ctx: RequestContext): void {
  const reply = ctx.reply;
  if (!reply.sent && isDeadlineExceeded(ctx.err)) reply.code(504).send(DEADLINE_EXCEEDED);
}

/** Ends a request's server span with its status and route template (attributes only when it records). */
function endSpan(span: Span | undefined, status: number, route: string): void {
  if (span === undefined || span === UNTRACED) return;
  if (span.isRecording()) {
    span.setAttribute('http.response.status_code', status);
    span.setAttribute('http.route', route);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Wraps a route handler so it runs with the request's Context as `current()` (unless `implicit` is off) and its
 * span active when tracing records, and so a result or error arriving after the reply was sent (the deadline's
 * 504) is dropped quietly.
 */
function runInRequestContext(
  handler: RouteHandlerMethod,
  recording: boolean,
  implicit: boolean,
): RouteHandlerMethod {
  return function headroomHandler(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    const ctx = req.ctx;
    let result: unknown;
    if (ctx === null || (!implicit && !recording)) result = handler.call(this, req, reply);
    else {
      const call = () => handler.call(this, req, reply);
      const span = recording ? ctx.value(requestInfoKey)?.span : undefined;
      const inSpan = span ? () => withActiveSpan(span, call) : call;
      result = implicit ? run(ctx, inSpan) : inSpan();
    }
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
