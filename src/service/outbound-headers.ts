/** Propagating a request's deadline and trace to the calls it makes. */
import { context as otelContext, trace } from '@opentelemetry/api';
import { type Context, current } from '../context/index.js';
import { requestInfo } from './request-context.js';
import { injectTraceContext } from './tracing.js';

/**
 * Headers for an outbound fetch made on behalf of `ctx` (default `current()`): `X-Request-Timeout` with the
 * remaining deadline in ms (so the callee gives up when the caller will), `traceparent`/`tracestate` (the active
 * span, else the request's), and `X-Request-Id`. Pass `ctx.signal` too so the call is aborted when the ctx ends.
 * @example await fetch(url, { headers: outboundHeaders(req.ctx), signal: req.ctx.signal })
 */
export function outboundHeaders(ctx: Context = current()): Record<string, string> {
  const headers: Record<string, string> = {};
  const deadline = ctx.deadline;
  if (deadline !== undefined) {
    headers['x-request-timeout'] = `${Math.max(0, Math.floor(deadline - Date.now()))}ms`;
  }
  const info = requestInfo(ctx);
  const span = trace.getSpan(otelContext.active()) ?? info?.span;
  if (span !== undefined) injectTraceContext(span, headers);
  if (info) headers['x-request-id'] = info.id;
  return headers;
}
