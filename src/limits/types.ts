/**
 * The typed contract of `headroom limits` — options in, result out. The result serialises to the
 * `headroom.limits/v1` JSON (docs/limits.md) unchanged: fields may be added, never renamed.
 */
import type { Context } from '../context/index.js';
import type { LatencySummary, LoadProgress, LoadResult, ThresholdOutcome } from '../load/types.js';
import type { Duration } from '../units/duration.js';

/** Options for one capacity search; everything but `url` has a default. */
export interface LimitsOptions {
  /** Target URL, e.g. `http://127.0.0.1:8080/hello`, or `grpc://127.0.0.1:50051` (see `request.call`). */
  url: string;
  /** SLOs in the load threshold grammar: `p99<100ms`, `errors<1%`. Default `['p99<100ms', 'errors<1%']`. */
  slo?: string[];
  /** The target's admin base URL (`/metrics`, `/debug/pprof/profile`): enables the bottleneck analysis. */
  admin?: string;
  /**
   * The target's PostgreSQL database (`postgres://…`, the same database it uses): each step samples
   * `pg_stat_activity` (and `pg_stat_statements`, and the backends' CPU when local). Needs the `pg` package.
   */
  db?: string;
  /** Bearer token for the admin port's `/debug/*` (the service's `ADMIN_TOKEN`). */
  adminToken?: string;
  /** Shortest measured step; steps at low rates grow (up to 3×) to collect enough samples. Default `2s`. */
  step?: Duration;
  /** Half the pause after a failing step, so a backlog does not leak into the next one. Default `500ms`. */
  cooldown?: Duration;
  /** Never offer more than this many requests per second. Default: unbounded. */
  maxRate?: number;
  /** Bound on the whole search (steps, cool-downs, profile). Default `90s`. */
  maxTime?: Duration;
  /** Stop bisecting when (high − low) / low is within this fraction. Default 0.05. */
  precision?: number;
  /** Length of the CPU profile taken at the knee. Default `3s`. */
  profileSeconds?: number;
  /** Where to save the profile. Default `./.headroom/limits-<time>-cpu.pb.gz`. */
  profileOut?: string;
  /** Request shape, passed to the load generator unchanged. */
  request?: LimitsRequest;
  /** Called after every step (for live progress). */
  onStep?: (step: LimitsStep) => void;
  /** Called about once a second while a step runs, with the step's live figures (live views and metrics). */
  onProgress?: (progress: LimitsProgress) => void;
  /** Called with every step's load result (for live metrics). */
  onLoadResult?: (result: LoadResult) => void;
  /** Ends the search early (Ctrl-C, a deadline); the result covers the steps that completed. */
  ctx?: Context;
}

/** Live figures of the step under way: its phase and offered rate, and the load's last second. */
export interface LimitsProgress extends LoadProgress {
  phase: StepPhase;
  offeredRps: number;
}

/** The request mix each step sends, as in `headroom load`. */
export interface LimitsRequest {
  /** HTTP method of the single request. Default GET (POST with a body). */
  method?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Request body; for a gRPC target, the request message as JSON. */
  body?: string | Uint8Array;
  /** A scenario file (weighted request mix); overrides method/headers/body. */
  scenario?: string;
  /** gRPC target (`grpc://host:port`): the .proto file that defines `call`. */
  proto?: string;
  /** gRPC target: folders searched for the imports of `proto`, as protoc's `-I`. */
  importPaths?: string[];
  /** gRPC target: the definitions from gRPC server reflection instead of `proto`. */
  reflect?: boolean;
  /** gRPC target: the method (unary or server-streaming), `pkg.Service/Method`. */
  call?: string;
  /** gRPC target: metadata sent with every call. */
  metadata?: Record<string, string>;
  /**
   * Connections the generator keeps open. Default: enough for the rate at the SLO's latency (Little's law, at
   * least 64, at most 1024), so the generator's connection pool never caps the rate it offers.
   */
  connections?: number;
  /** Generator threads. Default: one per available core. */
  threads?: number;
  /** Per-request timeout. Default `10s`. */
  timeout?: Duration;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
}

/** Which stage of the search a step belongs to. */
export type StepPhase = 'calibrate' | 'ramp' | 'confirm' | 'bisect' | 'retest' | 'profile';

/** What the target's own metrics said during one step (from `--admin`'s `/metrics`). */
export interface TargetSignals {
  /** Process CPU in cores (1 = one core busy all the step). */
  cpuCores: number;
  /** Worst event-loop delay p99 seen during the step, ms. */
  eventLoopLagP99Ms: number;
  /** Share of wall time spent in GC (0..1). */
  gcShare: number;
  /** Heap used at the start and end of the step, bytes. */
  heapStartBytes: number;
  heapEndBytes: number;
  /** Requests in flight at the first and last scrape of the step, and the most seen. */
  inFlightStart: number;
  inFlightEnd: number;
  inFlightMax: number;
  /** Requests shed by the target's overload protection during the step (503 + Retry-After, never admitted). */
  shed: number;
  /**
   * `shed` by reason (`http_requests_shed_total`'s `reason` label): `concurrency` (the adaptive limit,
   * `ADAPTIVE_CONCURRENCY=on`), `inflight` (the `MAX_INFLIGHT` cap), `event_loop_delay` (`MAX_EVENT_LOOP_DELAY`);
   * `''` for a counter without the label. Only reasons that shed during the step. Absent from older results.
   */
  shedByReason?: Record<string, number>;
  /**
   * `shed` as a share of the requests the target answered during the step (refusals included, 0..1); null when
   * it does not export `http_request_duration_seconds`. Absent from older results.
   */
  shedShare?: number | null;
  /**
   * The overload guard's in-flight limit over the step's scrapes (`http_concurrency_limit`): lowest and highest;
   * null when the target does not export it or had no limit (+Inf). Absent from older results.
   */
  concurrencyLimit?: { min: number; max: number } | null;
  /** Scrapes that succeeded during the step. */
  scrapes: number;
  /**
   * Mean time the target took per request answered during the step, ms, by its own clock
   * (`http_request_duration_seconds`); when it shed requests, its 503s are left out (a refusal's time is the
   * tarpit's `SHED_DELAY`, not work). Null when it does not export it. Absent from older results.
   */
  requestMsAvg?: number | null;
  /**
   * The connection pool that waited most during the step (`instrumentPool` in headroom-kit/service); null when
   * the target exports no pool metrics. Absent from results written before pools were read.
   */
  pool?: PoolSignals | null;
  /**
   * The hosts the target called (fetch), most time spent first (at most 3); empty when it called none or does not
   * export `headroom_outbound_*`. Absent from older results.
   */
  outbound?: OutboundSignals[];
}

/** The target's outbound calls to one host during one step. */
export interface OutboundSignals {
  /** `host:port`. */
  host: string;
  /** Calls answered (or failed) per second. */
  callsPerS: number;
  /** Mean time to the response headers (or the error), ms. */
  meanMs: number;
  /** Calls in flight, mean over the step's scrapes. */
  inFlightAvg: number;
}

/** A connection pool during one step, from the target's `headroom_pool_*` metrics. */
export interface PoolSignals {
  /** The pool's `pool` label. */
  name: string;
  /** Most connections it opens (null when the pool does not say). */
  max: number | null;
  /** Connections checked out, mean and most over the step's scrapes. */
  inUseAvg: number;
  inUseMax: number;
  /** Requests waiting for a connection, mean and most over the step's scrapes. */
  waitingAvg: number;
  waitingMax: number;
  /** Share of the step's scrapes that saw requests waiting (0..1). */
  waitingShare: number;
  /** Connections handed out per second. */
  acquiredPerS: number;
  /** Mean wait for a connection, ms (null when none was handed out). */
  waitMsAvg: number | null;
  /**
   * Mean time a connection was held, ms: from `headroom_pool_held_seconds` when exported, else by Little's law
   * (in use ÷ handed out per second, from the scrapes); null when unknown.
   */
  heldMsAvg: number | null;
}

/** The whole machine during one step (Linux `/proc`, when the target runs on the generator's machine). */
export interface HostSignals {
  /** CPU cores the machine has (`cpuN` lines of /proc/stat). */
  cores: number;
  /** Share of all cores' time that was busy (0..1): everything but idle and I/O wait. */
  busyShare: number;
  /** The same in cores (busyShare × cores). */
  busyCores: number;
  /** Share of the time the hypervisor gave the cores to someone else (0..1). */
  stealShare: number;
  /** Threads runnable and waiting for a core (`procs_running`, the sampler left out), mean and most. */
  runQueueAvg: number;
  runQueueMax: number;
  /** CPU the load generator (this process, all its threads) used, in cores. */
  generatorCores: number;
  /**
   * The other processes that used the machine's CPU during the step, grouped by name (`postgres`, `node`…),
   * largest first, at most three; the generator and the target (the process listening on its port) left out.
   */
  others: ProcessGroupCpu[];
}

/** CPU used by the processes of one name during a step. */
export interface ProcessGroupCpu {
  /** The process name (`/proc/<pid>/stat`'s comm: `postgres`, `node`, …). */
  name: string;
  /** How many processes of that name used CPU. */
  processes: number;
  cores: number;
}

/** One step of the search: a fixed offered rate for a bounded time. */
export interface LimitsStep {
  phase: StepPhase;
  offeredRps: number;
  achievedRps: number;
  durationS: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Errors / completed responses plus failures (0..1). */
  errorRate: number;
  /** Every SLO held and achieved ≥ 98% of offered (and the generator kept up). */
  pass: boolean;
  /** Why the step failed, one phrase per broken rule. */
  failures: string[];
  slo: ThresholdOutcome[];
  /** Requests the generator actually sent per second (open model: below offered when it fell behind). */
  sentRps: number;
  /** The generator's self-check flagged itself (busy threads, delayed loop, sends slipping behind schedule). */
  generatorBound: boolean;
  /** How far the generator's sends slipped behind schedule (p99 ms), when known. */
  sendLagP99Ms: number | null;
  /**
   * Latency from the actual send to the response's first byte (a server-streaming gRPC call: to its end), when
   * known: the target's own latency without the generator's send slip (the SLO latency is measured from the
   * intended send time).
   */
  latencyFromSendMs: LatencySummary | null;
  /** The generator's self-check warnings (why it was bound). */
  generatorWarnings: string[];
  /**
   * The step failed and the generator, not the target, may explain it: the generator flagged itself, and either
   * it did not even send 98% of the offered rate or the latency SLO holds once its send slip is taken out.
   */
  generatorLimited: boolean;
  target: TargetSignals | null;
  /**
   * The machine, when the target runs on it (its host is loopback or one of this machine's addresses) and
   * `/proc/stat` is readable; null otherwise. Absent from results written before the host was read.
   */
  host?: HostSignals | null;
  /** The database during the step (`--db`); null without it. Absent from results written before `--db`. */
  database?: DatabaseSignals | null;
}

/** A PostgreSQL database during one step, from `pg_stat_activity` samples (`--db`). */
export interface DatabaseSignals {
  /** Client backends connected to the database at the last sample. */
  backends: number;
  /** Backends running a statement, mean and most over the samples. */
  activeAvg: number;
  activeMax: number;
  /**
   * What the running backends were doing, as shares of all running-backend samples, largest first (at most 5):
   * `wait_event_type:wait_event` (`Lock:transactionid`, `IO:DataFileRead`, `Timeout:PgSleep`…) or `CPU` (running,
   * not waiting).
   */
  waits: { event: string; share: number }[];
  /** The busiest statements (at most 5): their share of exec time, or of running samples (see `queriesFrom`). */
  topQueries: { query: string; share: number }[];
  /** `pg_stat_statements` when the extension is installed in the database, else `pg_stat_activity` samples. */
  queriesFrom: 'pg_stat_statements' | 'pg_stat_activity';
  /** CPU the database's backends used, in cores, when the database runs on this machine; else null. */
  cpuCores: number | null;
}

/**
 * The maximum sustainable rate: `rps` passed (and was re-tested); `high` is the lowest rate above it that failed.
 * For `max-rate`, `max-time` and `interrupted` outcomes `rps` is a lower bound, not the maximum.
 */
export interface Capacity {
  rps: number;
  low: number;
  /** Null when nothing above `rps` failed (or its failure was not confirmed) before the search ended. */
  high: number | null;
}

/** One function in the knee profile, by self time. */
export interface TopFunction {
  name: string;
  file: string;
  line: number;
  selfPct: number;
  /**
   * Who the time belongs to: a package (`pg`, `@electric-sql/pglite (wasm)`), `(your code)`, `node (internals)`,
   * `(garbage collector)`… (docs/limits.md, _Where the time went_).
   */
  package: string;
}

/** Self time of one package (or `(your code)`, `node (internals)`…) in the knee profile. */
export interface PackageShare {
  name: string;
  selfPct: number;
}

/** One node of the knee profile's call tree (the flame graph): shares of the non-idle time, in %. */
export interface ProfileNode {
  name: string;
  package: string;
  selfPct: number;
  totalPct: number;
  /** Callees by total time; those under 0.5% are left out. */
  children: ProfileNode[];
}

/** What kind of resource ran out first. */
export type BottleneckKind =
  | 'cpu'
  | 'host-cpu'
  | 'event-loop'
  | 'gc'
  | 'memory'
  | 'pool'
  | 'database'
  | 'dependency'
  /** The target's own overload protection refused requests before any resource behind it ran out. */
  | 'overload-protection'
  | 'generator'
  | 'unknown';

/** The "why it stops there": a kind, the figures behind it, and where the CPU went. */
export interface Bottleneck {
  kind: BottleneckKind;
  evidence: string[];
  /** The hottest functions by self time, plus your code's hottest, hottest first. */
  topFunctions: TopFunction[];
  /** Self time by package, largest first (empty without a profile). */
  packages: PackageShare[];
  /** The knee profile's call tree, pruned (null without a profile). */
  profileTree: ProfileNode | null;
}

/** How the search ended. */
export type LimitsOutcome =
  /** A capacity was found and bracketed. */
  | 'found'
  /** Even the calibration rate broke the SLO. */
  | 'no-rate-meets-slo'
  /** The load generator ran out of capacity first: no capacity is claimed for the target. */
  | 'generator-bound'
  /** `--max-rate` passed: the target sustains at least that. */
  | 'max-rate'
  /** `--max-time` ran out before the search ended: the target sustains at least the highest passing rate. */
  | 'max-time'
  /** Stopped by the caller (Ctrl-C): the target sustains at least the highest passing rate, if any. */
  | 'interrupted';

/** The result of one search: `headroom.limits/v1`. */
export interface LimitsResult {
  schema: 'headroom.limits/v1';
  target: string;
  slo: string[];
  outcome: LimitsOutcome;
  /**
   * The phase Ctrl-C or `--max-time` stopped the search in (`profile`: after the search ran to its end), or null
   * when nothing stopped it. A stopped search claims only a lower bound.
   */
  stoppedIn: StepPhase | null;
  /** Null when no capacity can be claimed for the target (no rate passed, or the generator was the bottleneck). */
  capacity: Capacity | null;
  /** The search's steps, in the order they ran. */
  steps: LimitsStep[];
  /**
   * The extra step run at the capacity rate while the CPU profile was taken (not part of the search: the
   * profiler costs the target some throughput, so its pass/fail means nothing); null when no profile was tried.
   */
  profileStep: LimitsStep | null;
  bottleneck: Bottleneck;
  /** Path of the saved CPU profile (gzip'd pprof), or null when none was taken. */
  profile: string | null;
  /** Wall time of the whole search, seconds. */
  searchS: number;
  /** Settings the search ran with. */
  settings: { stepS: number; cooldownS: number; precision: number; maxTimeS: number; maxRate: number | null };
  /** Things the reader should know (skipped re-tests, missing metrics, profile errors). */
  notes: string[];
}
