/**
 * The OTLP metric names and attribute keys headroom pushes (docs/load.md, docs/limits.md), apart from the code
 * that builds them so that the CLI can name them without loading OpenTelemetry.
 */

/** The metric names pushed (OpenTelemetry spelling; Prometheus spells them with `_` and unit suffixes). */
export const OTLP_METRIC = {
  /** Counter `{request}`: responses received (any status), by request name. */
  requests: 'headroom.load.requests',
  /** Counter `{error}`: failed requests, by `error.type` (the result's error kinds). */
  errors: 'headroom.load.errors',
  /** Exponential histogram, seconds: latency of every response. */
  latency: 'headroom.load.latency',
  /** Gauge `{request}/s`: the offered rate of the limits step running (or last run). */
  stepRate: 'headroom.limits.step.rate',
  /** Gauge: the last finished limits step's verdict, 1 passed, 0 failed. */
  stepVerdict: 'headroom.limits.step.verdict',
  /** Gauge `{request}/s`: the capacity the search found (0 when none), at its end. */
  capacity: 'headroom.limits.capacity',
} as const;

/** The gauges `headroom limits` adds, with their unit and description. */
export const OTLP_GAUGES = {
  [OTLP_METRIC.stepRate]: {
    unit: '{request}/s',
    description: 'Offered rate of the limits step running (or last run).',
  },
  [OTLP_METRIC.stepVerdict]: {
    unit: '',
    description: "The last finished limits step's verdict: 1 passed, 0 failed.",
  },
  [OTLP_METRIC.capacity]: {
    unit: '{request}/s',
    description: 'The capacity the limits search found (0 when none).',
  },
} as const;

/** The name of one of `OTLP_GAUGES`. */
export type OtlpGauge = keyof typeof OTLP_GAUGES;

/** Attribute keys on the data points. */
export const OTLP_ATTRIBUTE = {
  runId: 'headroom.run.id',
  segment: 'headroom.segment',
  requestName: 'headroom.request.name',
  errorType: 'error.type',
  phase: 'headroom.limits.phase',
  outcome: 'headroom.limits.outcome',
} as const;
