/**
 * Pushing a run's metrics over OTLP/HTTP while it runs (`--otlp`): request and error counters, latency as an
 * exponential histogram, limits' step rate and verdict. Loaded only when a push is asked for.
 */

export { OTLP_ATTRIBUTE, OTLP_GAUGES, OTLP_METRIC, type OtlpGauge } from './names.js';
export { OtlpPusher } from './push.js';
export { type RunIdentity, RunMetrics } from './run-metrics.js';
