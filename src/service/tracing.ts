/**
 * OpenTelemetry for the service: one tracer provider per process. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans
 * are sampled (parent-based) and batched to OTLP/HTTP, and the provider is registered globally (AsyncLocalStorage
 * context manager, W3C propagator) so `instrument()` spans nest under request spans. Without it nothing is
 * recorded: a request that came with a `traceparent` passes it through unchanged (the service is transparent to
 * the caller's trace, as with no SDK at all), one without is untraced — no ids are made ({@link UNTRACED}).
 */

import type { IncomingHttpHeaders } from 'node:http';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  INVALID_SPAN_CONTEXT,
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-node';

/** The process's tracing: a tracer and whether its spans are recorded (exported). */
export interface Tracing {
  /** The tracer request spans come from. */
  readonly tracer: Tracer;
  /** True when spans are sampled and exported; false means non-recording spans (ids only). */
  readonly recording: boolean;
  /** Flushes pending spans (on shutdown). */
  flush(): Promise<void>;
}

let tracing: Tracing | undefined;

/**
 * The process-wide tracing, created by the first service from its config; later calls return the same one
 * (a process has one global tracer provider).
 */
export function setupTracing(options: {
  serviceName: string;
  version: string;
  otlpEndpoint: string | undefined;
}) {
  if (tracing) return tracing;
  const recording = options.otlpEndpoint !== undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.version,
    }),
    sampler: recording ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
    spanProcessors: recording
      ? [
          new BatchSpanProcessor(
            new OTLPTraceExporter({ url: `${options.otlpEndpoint?.replace(/\/+$/, '')}/v1/traces` }),
          ),
        ]
      : [],
  });
  if (recording) provider.register();
  tracing = { tracer: provider.getTracer('headroom'), recording, flush: () => provider.forceFlush() };
  return tracing;
}

/** True once a service has set up recording tracing (`instrument()` then makes spans). */
export function isTracingRecording(): boolean {
  return tracing?.recording === true;
}

const w3c = new W3CTraceContextPropagator();

/**
 * The span of an untraced request (tracing off and no valid `traceparent`): one shared non-recording span with
 * the invalid all-zero context, which logs leave out and `outboundHeaders` does not propagate.
 */
export const UNTRACED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Starts the server span of a request, continuing a valid W3C `traceparent` (and `tracestate`), else a new
 * trace. When tracing does not record, a continued trace is passed through as is (same span id and flags) and a
 * request without one gets {@link UNTRACED}: tracing off makes no ids.
 * @example startRequestSpan(tracing, 'GET /users/:id', req.headers)
 */
export function startRequestSpan(tracing: Tracing, name: string, headers: IncomingHttpHeaders): Span {
  const parent =
    headers.traceparent === undefined
      ? ROOT_CONTEXT
      : w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  if (!tracing.recording) {
    const remote = trace.getSpanContext(parent);
    return remote === undefined ? UNTRACED : trace.wrapSpanContext(remote);
  }
  return tracing.tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
}

/** Runs `fn` with `span` as the active OpenTelemetry span (so child spans nest under it). */
export function withActiveSpan<R>(span: Span, fn: () => R): R {
  return otelContext.with(trace.setSpan(otelContext.active(), span), fn);
}

/** Writes `span`'s context into `headers` as W3C `traceparent` (and `tracestate` when there is one). */
export function injectTraceContext(span: Span, headers: Record<string, string>): void {
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
}
