/**
 * `instrument(name, fn)`: "metrics for every significant function" in one line — a duration histogram, an error
 * counter, a span (when tracing records) and a debug log line per call, sync or async.
 */

import { context as otelContext, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRIC } from '../metric-names.js';
import { requestInfo } from './request-context.js';
import { isTracingRecording } from './tracing.js';

/** The process-wide registry of `instrument()` metrics; every service's `/metrics` includes it. */
export const functionMetrics = new Registry();

const durations = new Histogram({
  name: METRIC.functionDuration,
  help: 'Duration of instrumented functions in seconds, by name.',
  labelNames: ['name'],
  buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [functionMetrics],
});

const errors = new Counter({
  name: METRIC.functionErrors,
  help: 'Calls of instrumented functions that threw or rejected, by name.',
  labelNames: ['name'],
  registers: [functionMetrics],
});

let fallbackLogger: Logger | undefined;

/** Sets the logger `instrument()` uses outside a request (the service does this with its root logger). */
export function setInstrumentLogger(logger: Logger): void {
  fallbackLogger = logger;
}

/**
 * Wraps `fn` so every call records `headroom_function_duration_seconds{name}`, counts throws/rejections in
 * `headroom_function_errors_total{name}`, runs inside a span `name` (when tracing exports) and logs at debug
 * with the request's ids. `this` and arguments pass through unchanged.
 * @example const listExpenses = instrument('repo.listExpenses', (ctx, groupId) => db.selectFrom(...))
 */
export function instrument<A extends unknown[], R>(name: string, fn: (...args: A) => R): (...args: A) => R {
  const duration = durations.labels(name);
  const failures = errors.labels(name);
  return function instrumented(this: unknown, ...args: A): R {
    const start = performance.now();
    const span = isTracingRecording() ? trace.getTracer('headroom').startSpan(name) : undefined;
    const finish = (error: unknown) => {
      const ms = performance.now() - start;
      duration.observe(ms / 1000);
      if (error !== undefined) {
        failures.inc();
        span?.recordException(error instanceof Error ? error : String(error));
        span?.setStatus({ code: SpanStatusCode.ERROR });
      }
      span?.end();
      const log = requestInfo()?.log ?? fallbackLogger;
      if (log?.isLevelEnabled('debug')) log.debug({ fn: name, ms, failed: error !== undefined }, 'call');
    };
    let result: R;
    try {
      result = span
        ? otelContext.with(trace.setSpan(otelContext.active(), span), () => fn.apply(this, args))
        : fn.apply(this, args);
    } catch (error) {
      finish(error ?? new Error('undefined thrown'));
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          finish(undefined);
          return value;
        },
        (error: unknown) => {
          finish(error ?? new Error('undefined rejection'));
          throw error;
        },
      ) as R;
    }
    finish(undefined);
    return result;
  };
}
