/**
 * The typed contract of `headroom load` — options in, result out. The result serialises to the `headroom.load/v1`
 * JSON (docs/load.md) unchanged: fields may be added, never renamed. `headroom limits` is built on it.
 */
import type { Context } from '../context/index.js';
import type { Duration } from '../units/duration.js';

/** Options for one load run; everything but `url` (or a scenario) has a default. */
export interface LoadOptions {
  /** Target base URL, e.g. `http://127.0.0.1:8080/` (its path is the default request path). */
  url: string;
  /** Connections kept open (closed model: each keeps `pipelining` requests in flight). Default 64. */
  connections?: number;
  /** Generator threads sharing the connections (1 = in-process). Default: the CPUs available less one, ≥ 1. */
  threads?: number;
  /** How long to measure. Default `10s`. */
  duration?: Duration;
  /** Open model: requests per second scheduled whatever the server does. Absent → closed model. */
  rate?: number;
  /**
   * Send this many measured requests, then end once they are answered (hey's and oha's `-n`). Closed model: shared
   * by the connections; open model: the first N of the schedule (the run lasts N / rate). With `duration` given
   * too, whichever ends first; without it, the run lasts as long as the N requests take.
   */
  requests?: number;
  /**
   * Requests in flight per connection: HTTP/1.1 pipelining, or with `http2` concurrent streams (capped by the
   * server's SETTINGS_MAX_CONCURRENT_STREAMS). Default 1.
   */
  pipelining?: number;
  /**
   * Speak HTTP/2: h2c with prior knowledge for `http://`, ALPN `h2` for `https://`. A target without HTTP/2 is a
   * `UsageError` before any load. Default false (HTTP/1.1).
   */
  http2?: boolean;
  /** Method for the single-request mode. Default GET. */
  method?: string;
  /** Extra headers for the single-request mode. */
  headers?: Record<string, string>;
  /** Body for the single-request mode. */
  body?: string | Uint8Array;
  /** gRPC target (`grpc://host:port`, `grpcs://` over TLS): the .proto file that defines `call`. */
  proto?: string;
  /** gRPC target: folders searched for the imports of `proto` (after its own folder), as protoc's `-I`. */
  importPaths?: string[];
  /** gRPC target: ask the server for the definitions (gRPC server reflection) instead of reading `proto`. */
  reflect?: boolean;
  /**
   * gRPC target: the method, `pkg.Service/Method`, unary or server-streaming; `body` is its request message as
   * JSON (sent once per call).
   */
  call?: string;
  /** gRPC target: metadata sent with every call (`headers` are sent too). */
  metadata?: Record<string, string>;
  /** A scenario module/JSON path: a weighted mix of templated requests (overrides method/headers/body). */
  scenario?: string;
  /** Per-request timeout. Default `10s`. */
  timeout?: Duration;
  /** Load applied but not measured before the run. Default `0s`. */
  warmup?: Duration;
  /** k6-style thresholds: `p99<50ms`, `errors<1%`, `rps>1000`. */
  thresholds?: string[];
  /** Skip TLS certificate verification (self-signed staging certificates). */
  insecure?: boolean;
  /**
   * This agent's part of a run spread over `count` agents (`--segment K/N`; `index` is Kubernetes'
   * `JOB_COMPLETION_INDEX`). `rate`, `connections` and `requests` are then totals: the open model sends the
   * requests `j` of the one global schedule with `j mod count = index`; connections and request limits are split
   * as evenly as possible; scenario data-file rows are partitioned (rows `index`, `index + count`, …).
   */
  segment?: Segment;
  /**
   * The instant the measured window starts (epoch ms, wall clock), the same on every agent: connections are
   * opened and the warm-up runs before it. More than 1 s in the past is an error.
   */
  startAt?: number;
  /** Cancels the run early (the result covers what was measured). */
  ctx?: Context;
  /**
   * Called once per second of the measured window with live figures (for progress display) and that second as
   * measured with the run it belongs to (`progress.second`: what `--push` streams to a collector).
   */
  onProgress?: (progress: LoadProgress) => void;
}

/** Who a run is: what `headroom merge` and `headroom collect` compare to refuse results of another run. */
export interface RunIdentity {
  target: string;
  model: 'closed' | 'open';
  protocol: 'http/1.1' | 'h2';
  /** When the measured window started (ISO 8601, wall clock). */
  startedAt: string;
  segment?: Segment;
}

/**
 * One second of the measured window, all threads merged (`LoadProgress.second`): the same second as the result's
 * timeline point and timeline histogram, plus its counts.
 */
export interface LoadSecond {
  run: RunIdentity;
  /** Seconds since the window started (end of this second; the last may be partial). */
  t: number;
  /** This second's length in seconds. */
  seconds: number;
  /** Its end on the wall clock (epoch ms). */
  at: number;
  /** The planned window in seconds (null for a request-limited run without a duration). */
  durationS: number | null;
  /** Measured requests written in this second. */
  sent: number;
  /** Responses received in this second (any status). */
  completed: number;
  /** Requests that failed in this second, and by kind (see `LoadResult.errorsByKind`). */
  errors: number;
  errorsByKind: Record<string, number>;
  /** The second's latency histogram (encoded, as `ResultHistograms.timeline`). */
  latency: string;
}

/** One agent's part of a multi-agent run: `index` of `count` (0 ≤ index < count). */
export interface Segment {
  index: number;
  count: number;
}

/** Sent and completed counts of one scenario request (or of the single request). */
export interface RequestCounts {
  sent: number;
  completed: number;
}

/** One point of the percentile distribution: percentile `p` (0–100) and its latency in ms. */
export interface PercentilePoint {
  p: number;
  ms: number;
}

/** Live figures during a run: the last second's rate, p99, completed and errors, and the totals so far. */
export interface LiveFigures {
  elapsedS: number;
  /** The planned window (Infinity for a request-limited run without a duration). */
  durationS: number;
  /** Completed requests per second over the last second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Errors in the last second. */
  errors: number;
  /** Errors since the start of the measured window. */
  errorsTotal: number;
  /** Completed in the last second. */
  completed: number;
  /** Measured requests answered or failed since the start. */
  answered: number;
  /** The request limit (`requests`), or null. */
  requestsTotal: number | null;
}

/**
 * What `onProgress` gets once a second: the live figures, the generator's self-check so far, and that second's
 * detail for exporters and the dashboard.
 */
export interface LoadProgress extends LiveFigures {
  /** Latency p90 over the last second. */
  p90Ms: number;
  /** Errors by kind since the start of the measured window (the kinds of `LoadResult.errorsByKind`). */
  errorsTotalByKind: Record<string, number>;
  /**
   * The generator's self-check so far: process CPU and each thread's event-loop utilisation over the last second,
   * the worst thread's event-loop delay p99 and send lag p99 since the start (the final result judges the whole
   * window).
   */
  generator: GeneratorHealth;
  /** Responses in the last second by request name (as `requests.byName`). */
  completedByName: Record<string, number>;
  /** Errors in the last second by kind (as `errorsByKind`; kinds with none left out). */
  errorsByKind: Record<string, number>;
  /**
   * The last second's latency histogram, encoded as `histograms.timeline` (hdr-histogram-js compressed base64,
   * microseconds): for consumers that need the distribution, not just p50/p99.
   */
  latencyHistogram: string;
  /** The same second as measured, with the run's identity: what an agent pushes to a collector (`toLivePush`). */
  second: LoadSecond;
}

/** Latency summary in milliseconds (HDR histogram, microsecond resolution). */
export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** One second of the run. */
export interface TimelinePoint {
  t: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** The generator's self-check: was the load generator, not the target, the bottleneck? */
export interface GeneratorHealth {
  /** Process CPU over the measured window, % of one core (all threads summed; can exceed 100). */
  cpuPct: number;
  /** Busy fraction of each generator thread's event loop (0–1), from eventLoopUtilization. */
  threadUtilization: number[];
  /** Worst event-loop delay p99 over the generator threads. */
  eventLoopDelayP99Ms: number;
  /** Open model: how far the generator's own timers slipped behind schedule (p99, ms); null closed. */
  sendLagP99Ms: number | null;
  bound: boolean;
  warnings: string[];
}

/** A threshold and whether it held. */
export interface ThresholdOutcome {
  expr: string;
  ok: boolean;
  actual: number;
}

/** The result of one run: `headroom.load/v1`. */
export interface LoadResult {
  schema: 'headroom.load/v1';
  target: string;
  model: 'closed' | 'open';
  durationS: number;
  connections: number;
  threads: number;
  /** Requests in flight per connection as asked (`-p`): pipelined (HTTP/1.1) or concurrent streams (HTTP/2). */
  pipelining: number;
  /** The protocol spoken: `http/1.1`, or `h2` (HTTP/2 over TLS or h2c). */
  protocol: 'http/1.1' | 'h2';
  /**
   * HTTP/2: the server's SETTINGS_MAX_CONCURRENT_STREAMS, which caps `pipelining` per connection (null when the
   * server sets no limit, and for HTTP/1.1).
   */
  maxConcurrentStreams: number | null;
  /** The request limit the run was given (`-n`), or null. */
  requestLimit: number | null;
  /**
   * `sent` requests written (plus connection attempts that failed before a request could be written, each an
   * attempt that failed); every one ends as exactly one of `completed` or a no-response error, so
   * `sent = completed + errors − 4xx − 5xx`. A request still unanswered when the drain ends is a `timeout`; one
   * abandoned by an interrupted run (Ctrl-C) is `cancelled`. `completed` responses received (any status), `errors` failed requests: no response
   * (refused, reset, closed, timeout, malformed, tls, other) or a status ≥ 400 (as k6 counts failures).
   * `byName`: per scenario request name (the single request is named `METHOD path`).
   */
  requests: {
    sent: number;
    completed: number;
    errors: number;
    timeouts: number;
    byName: Record<string, RequestCounts>;
  };
  /**
   * Errors by kind: connect-refused, reset, closed, timeout, cancelled, malformed, tls, other, http-4xx, http-5xx;
   * HTTP/2 adds stream-reset (RST_STREAM) and goaway (a stream above the server's GOAWAY last stream id).
   */
  errorsByKind: Record<string, number>;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /**
   * gRPC targets only: responses by `grpc-status` name (`OK`, `UNAVAILABLE`, …; a response without one counts as
   * `UNKNOWN`), for responses whose HTTP status is below 400. Each status but OK is also an error of kind
   * `grpc-<NAME>`, so then `sent = completed + errors − 4xx − 5xx − (responses not OK)`.
   */
  grpcStatus?: Record<string, number>;
  /**
   * Server-streaming gRPC methods only: the response messages and the time to the first one. For such a call
   * `latencyMs` (and every latency threshold) is to the end of the call, its trailers.
   */
  grpcStreaming?: GrpcStreamingFigures;
  /** `rps` completed/s; `offeredRps` the open model's rate (null closed); `sentRps` requests written/s. */
  throughput: {
    rps: number;
    offeredRps: number | null;
    sentRps: number;
    bytesPerS: number;
    sentBytesPerS: number;
  };
  /** Latency of every completed response: from send (closed model) or intended send time (open model). */
  latencyMs: LatencySummary;
  /** The latency percentile distribution (HDR-style, 0 → 99.999 → max) for plots. */
  latencyDistribution: PercentilePoint[];
  /**
   * Per-phase timings (Go's httptrace): TCP connect and TLS handshake per connection (null when none was
   * measured or the target is plain http); time to first byte and to the full response, per request, from the
   * moment it was actually written (in the open model `latencyMs` also counts the wait for its intended time).
   */
  phasesMs: {
    connect: LatencySummary | null;
    tls: LatencySummary | null;
    firstByte: LatencySummary;
    response: LatencySummary;
  };
  generator: GeneratorHealth;
  timeline: TimelinePoint[];
  thresholds: ThresholdOutcome[];
  /** When the measured window started (ISO 8601, wall clock): the `startAt` given, or when the run began. */
  startedAt: string;
  /** This agent's segment (`--segment K/N`); absent for a run on one machine. */
  segment?: Segment;
  /** A merged result (`headroom merge`): each agent's segment and self-check, in segment order. */
  agents?: AgentHealth[];
  /** The HDR histograms behind the figures, so that results of several agents merge exactly. */
  histograms: ResultHistograms;
  /**
   * `headroom collect` only: what the agents pushed second by second while the run went on (`--push`), merged by
   * wall-clock second — the live view's figures. They cover the measured window; responses drained after it are
   * in the final counts only.
   */
  live?: LiveSummary;
}

/** The per-second pushes a collector received (`LoadResult.live`). */
export interface LiveSummary {
  /** Per-second pushes accepted. */
  pushes: number;
  /** Agents (segments) that pushed at least one second. */
  agents: number;
  /** Sums over every pushed second. */
  sent: number;
  completed: number;
  errors: number;
  /** Each second of the run (1, 2, … from the run's start) merged over the agents that reported it. */
  seconds: LiveSummarySecond[];
}

/** One merged second of `LiveSummary`: counts, agents reporting, req/s and the exact p50/p99 of the second. */
export interface LiveSummarySecond {
  t: number;
  agents: number;
  sent: number;
  completed: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** The response messages of a server-streaming gRPC method's calls. */
export interface GrpcStreamingFigures {
  /**
   * Measured calls that ended with trailers, whatever their `grpc-status` (a status after some messages is still an
   * error): the calls whose messages are counted. Calls that failed without trailers (reset, timeout) are not.
   */
  calls: number;
  /** Response messages received in those calls. */
  messages: number;
  /** Messages per call: `mean` (messages / calls), the fewest and the most of one call. */
  messagesPerCall: { mean: number; min: number; max: number };
  /**
   * Time to each call's first message (complete), from the intended send time like `latencyMs`, over the calls
   * that got at least one; null when none did.
   */
  firstMessageMs: LatencySummary | null;
}

/** One merged agent: its segment (null for a result without one) and its generator self-check. */
export interface AgentHealth {
  segment: Segment | null;
  generator: GeneratorHealth;
}

/**
 * Encoded HDR histograms (hdr-histogram-js compressed base64, microseconds): the latency, each phase (`response`
 * null in the closed model, where it is the latency; `tls` null for plain http), one latency histogram per
 * timeline point, in the timeline's order, and for server-streaming gRPC the time to first message.
 */
export interface ResultHistograms {
  latency: string;
  firstByte: string;
  response: string | null;
  connect: string;
  tls: string | null;
  timeline: string[];
  /** Server-streaming gRPC only: time to first message (see `grpcStreaming`). */
  firstMessage?: string;
}
