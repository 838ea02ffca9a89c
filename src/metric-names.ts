/**
 * The Prometheus series a headroom service exports and `headroom limits` reads: one spelling for both sides.
 * prom-client's default metrics (`process_*`, `nodejs_*`) are listed too, since limits depends on their names.
 */
export const METRIC = {
  /** Counter: requests answered, by method, route template and status. */
  httpRequests: 'http_requests_total',
  /** Histogram: request duration in seconds, by method, route template and status. */
  httpDuration: 'http_request_duration_seconds',
  /** Gauge: requests admitted and not yet answered. */
  httpInFlight: 'http_requests_in_flight',
  /** Gauge: the overload guard's in-flight limit now (adaptive, capped by MAX_INFLIGHT). */
  httpConcurrencyLimit: 'http_concurrency_limit',
  /** Counter: requests refused with 503 by the overload guard, by reason. */
  httpShed: 'http_requests_shed_total',
  /** Histogram: duration of instrumented functions, by name. */
  functionDuration: 'headroom_function_duration_seconds',
  /** Counter: errors of instrumented functions, by name. */
  functionErrors: 'headroom_function_errors_total',
  /** Gauge: most connections a pool opens, by pool (`instrumentPool`). */
  poolMax: 'headroom_pool_max_connections',
  /** Gauge: connections a pool has open, by pool. */
  poolConnections: 'headroom_pool_connections',
  /** Gauge: connections checked out of a pool, by pool. */
  poolInUse: 'headroom_pool_in_use_connections',
  /** Gauge: requests waiting for a pool connection, by pool. */
  poolWaiting: 'headroom_pool_waiting_requests',
  /** Histogram: time waited for a pool connection in seconds, by pool. */
  poolWait: 'headroom_pool_wait_seconds',
  /** Histogram: time a pool connection was checked out (acquire → release) in seconds, by pool. */
  poolHeld: 'headroom_pool_held_seconds',
  /** Histogram: outbound fetch time to response headers (or error) in seconds, by host and outcome. */
  outboundDuration: 'headroom_outbound_request_duration_seconds',
  /** Gauge: outbound fetches sent and not yet answered, by host. */
  outboundInFlight: 'headroom_outbound_requests_in_flight',
  /** prom-client default: process CPU seconds. */
  processCpu: 'process_cpu_seconds_total',
  /** prom-client default: event-loop lag p99, seconds. */
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  /** prom-client default: GC duration histogram's sum, seconds (labelled by kind). */
  gcDurationSum: 'nodejs_gc_duration_seconds_sum',
  /** prom-client default: V8 heap used, bytes. */
  heapUsed: 'nodejs_heap_size_used_bytes',
} as const;
