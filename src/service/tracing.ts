/**
 * OpenTelemetry for the service: one tracer provider per process. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans
 * are sampled (parent-based) and batched to OTLP/HTTP, and the provider is registered globally (AsyncLocalStorage
 * context manager, W3C propagator) so `instrument()` spans nest under request spans. Without it the sampler is
 * off: spans are non-recording, but trace ids are still minted or continued from `traceparent` for logs and
 * outbound calls — near-zero cost.
 */
import {
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
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

/**
 * Starts the server span of a request, continuing the W3C `traceparent` when it is valid, else a new trace.
 * @example startRequestSpan(tracing, 'GET /users/:id', req.headers.traceparent)
 */
export function startRequestSpan(
  tracing: Tracing,
  name: string,
  traceparent: string | string[] | undefined,
): Span {
  let parent = ROOT_CONTEXT;
  if (typeof traceparent === 'string') {
    const spanContext = parseTraceParent(traceparent);
    if (spanContext) parent = trace.setSpanContext(ROOT_CONTEXT, { ...spanContext, isRemote: true });
  }
  return tracing.tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
}

/** Runs `fn` with `span` as the active OpenTelemetry span (so child spans nest under it). */
export function withActiveSpan<R>(span: Span, fn: () => R): R {
  return otelContext.with(trace.setSpan(otelContext.active(), span), fn);
}

/** Formats a span's context as a W3C `traceparent` header value. */
export function formatTraceparent(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}
