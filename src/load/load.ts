/**
 * `load()`: the coordinator. Validates options, probes the target, splits connections over generator threads
 * (in-process for one thread, worker threads otherwise), starts them on a common clock, merges their per-second
 * snapshots into the timeline and their reports into the typed result. It never prints.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { parseDuration } from '../units/duration.js';
import { buildResult } from './build-result.js';
import { grpcRequest, isGrpcUrl } from './grpc/grpc-call.js';
import { encodeHistogram } from './histogram.js';
import { probeHttp2 } from './http2/probe.js';
import { loadScenario, requestName } from './scenario/index.js';
import { addCounts, addSecondPart, emptySecond, type SecondSum, secondFigures } from './second-sum.js';
import { assessGenerator } from './self-check.js';
import type { ShardSetup } from './shard.js';
import { localShard, type ShardRunner, workerShard } from './shard-runner.js';
import type { ShardReport, TickSnapshot } from './shard-stats.js';
import { isLoopback, parseTarget, probeTarget } from './target.js';
import { parseThreshold } from './thresholds.js';
import type { LoadOptions, LoadResult, LoadSecond, RunIdentity, Segment, TimelinePoint } from './types.js';

const START_DELAY_MS = 50;
/** `startAt` may lie this far in the past (clock skew between agents); further is an error. */
const MAX_START_AT_PAST_MS = 1000;

/**
 * Generator threads when not given. Against a target on this machine (a loopback address): one less than the
 * CPUs, at least one (then in-process) — a thread per CPU makes the generator fight the target for the last core:
 * on 2 CPUs against nginx, one thread spends less CPU per request than two and sends more. Against another
 * machine: one per CPU.
 */
export function defaultThreads(cpus: number, targetIsLocal: boolean): number {
  return targetIsLocal ? Math.max(1, cpus - 1) : cpus;
}

/** A second of the timeline and its encoded latency histogram. */
interface FinishedPoint {
  point: TimelinePoint;
  latency: string;
}

/** One second of the timeline summed over the threads that reported it so far. */
interface PendingPoint extends SecondSum {
  shards: number;
  t: number;
  failed: number;
  completedByName: Record<string, number>;
  /** Each thread's event-loop utilisation over the interval. */
  utilization: number[];
  /** The worst thread's event-loop delay p99 and send lag p99 so far (null closed). */
  eventLoopDelayP99Ms: number;
  sendLagP99Ms: number | null;
}

/** Part `i` of `total` split over `parts` as evenly as possible (the first ones take the remainder). */
function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

/** What may change from one window of a session to the next; the rest is the session's (see `LoadSession`). */
export type LoadWindow = Pick<
  LoadOptions,
  | 'rate'
  | 'duration'
  | 'warmup'
  | 'requests'
  | 'connections'
  | 'thresholds'
  | 'startAt'
  | 'ctx'
  | 'onProgress'
>;

/**
 * One generator kept across several measured windows: its threads, its virtual users (a scenario's `setup` runs
 * once per virtual user) and its connections stay, so a window costs only its own length. Each window's result
 * is what `load()` with the session's options and the window's would return, except that `phasesMs.connect` only
 * counts the connections (re)opened for it.
 */
export interface LoadSession {
  /**
   * Runs one measured window. The window's own fields are taken from `window` alone (defaults as in `load()`),
   * except `connections`, which defaults to the session's: a window with more connections than any before opens
   * (and sets up) the new ones; one with fewer leaves the rest closed. The model (open with a `rate`, closed
   * without) is the session's.
   * @throws UsageError for bad window options; Error when another window is still running.
   */
  run(window: LoadWindow): Promise<LoadResult>;
  /**
   * Ends the running window now, as if its duration had run out: sending stops, what is in flight drains as at
   * the end of any window, and `run` resolves with the shorter window's result (unlike a cancelled `ctx`, whose
   * requests in flight count as `cancelled`). No-op between windows.
   */
  end(): void;
  /** Closes every connection and ends the generator threads. */
  close(): Promise<void>;
}

/**
 * Runs a load test and returns its result (`headroom.load/v1`).
 * @throws UsageError for bad options, an unreadable scenario, or a target unreachable at the start.
 * @example const result = await load({ url: 'http://127.0.0.1:8080/', connections: 16, duration: '5s' });
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const session = await openLoadSession(options);
  try {
    return await session.run(options);
  } finally {
    await session.close();
  }
}

/**
 * Opens a load session: probes the target, starts the generator threads and prepares `options.connections`
 * virtual users (scenario setup, sockets open). `options` are the session's (target, request, threads, …); its
 * window fields (`rate`, `duration`, …) only decide the model (open with a rate) and the first connections.
 * @throws UsageError for bad options, an unreadable scenario, or a target unreachable at the start.
 * @example
 * const session = await openLoadSession({ url: 'http://127.0.0.1:8080/', rate: 100 });
 * try { for (const rate of [100, 200]) console.log((await session.run({ rate, duration: '2s' })).latencyMs.p99); }
 * finally { await session.close(); }
 */
export async function openLoadSession(given: LoadOptions): Promise<LoadSession> {
  const options = await resolveGrpc(given);
  const plan = normalize(options);
  // Messages name the target as given (a grpc:// URL rather than the HTTP/2 request it stands for).
  const target = { ...parseTarget(options.url), url: given.url };
  const probeMs = Math.min(plan.timeoutMs, 5000);
  // HTTP/2: the server's stream cap, reported in the result (each connection also obeys its own SETTINGS).
  let maxConcurrentStreams: number | null = null;
  if (plan.setup.http2) {
    const settings = await probeHttp2(target, plan.insecure, probeMs);
    if (Number.isFinite(settings.maxConcurrentStreams)) maxConcurrentStreams = settings.maxConcurrentStreams;
  } else await probeTarget(target, plan.insecure, probeMs);

  const threads = plan.threads;
  const setups: ShardSetup[] = [];
  for (let i = 0, offset = 0; i < threads; i++) {
    const connections = share(plan.connections, threads, i);
    setups.push({
      ...plan.setup,
      connections,
      vuOffset: plan.vuOffset + offset,
      thread: { index: i, count: threads },
    });
    offset += connections;
  }
  const runners: ShardRunner[] = setups.map((p) => (threads === 1 ? localShard(p) : workerShard(p)));
  try {
    await Promise.all(runners.map((r) => r.ready));
  } catch (error) {
    await Promise.all(runners.map((r) => r.dispose().catch(() => {})));
    throw error;
  }
  const names = await sourceNames(plan.setup);
  return new Session(given, options, plan, runners, setups, names, maxConcurrentStreams);
}

/** A session's generator threads and what they hold (see `LoadSession`). */
class Session implements LoadSession {
  /** Connections (virtual users) each thread has prepared so far. */
  private readonly pools: number[];
  /** The id of the next virtual user a thread adds. */
  private nextVuId: number;
  private busy = false;

  constructor(
    private readonly given: LoadOptions,
    private readonly options: GrpcResolved,
    private readonly opened: NormalizedPlan,
    private readonly runners: ShardRunner[],
    setups: ShardSetup[],
    private readonly names: string[],
    private readonly maxConcurrentStreams: number | null,
  ) {
    this.pools = setups.map((s) => s.connections);
    this.nextVuId = opened.vuOffset + opened.connections;
  }

  async run(window: LoadWindow): Promise<LoadResult> {
    if (this.busy) throw new Error('a load session runs one window at a time');
    this.busy = true;
    try {
      return await this.measure(this.armPlan(window), window);
    } finally {
      this.busy = false;
    }
  }

  end(): void {
    if (this.busy) for (const r of this.runners) r.end();
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.dispose().catch(() => {})));
  }

  /** The window's plan, checked against the session. @throws UsageError */
  private armPlan(window: LoadWindow): NormalizedPlan {
    const { options, opened } = this;
    const plan = normalize({
      ...options,
      rate: window.rate,
      duration: window.duration,
      warmup: window.warmup,
      requests: window.requests,
      connections: window.connections ?? options.connections,
      startAt: window.startAt,
    });
    const threads = this.runners.length;
    if ((plan.window.rate === null) !== (opened.window.rate === null))
      throw new UsageError(
        `this session runs the ${opened.window.rate === null ? 'closed' : 'open'} model: every window ${opened.window.rate === null ? 'without' : 'with'} a rate`,
        { option: 'rate' },
      );
    if (plan.connections < threads)
      throw new UsageError(`must be at least the session's ${threads} threads, got ${plan.connections}`, {
        option: 'connections',
      });
    if (plan.segment.count > 1 && plan.connections > opened.connections)
      throw new UsageError(
        `a session in a segmented run keeps its ${opened.connections} connections (virtual user ids are shared out between agents)`,
        { option: 'connections' },
      );
    return { ...plan, threads };
  }

  /** Arms every thread for `plan` (opening the connections it lacks), runs the window and builds its result. */
  private async measure(plan: NormalizedPlan, window: LoadWindow): Promise<LoadResult> {
    const { given, options, names, runners } = this;
    const threads = runners.length;
    const thresholds = (window.thresholds ?? []).map(parseThreshold);
    await Promise.all(
      runners.map((runner, i) => {
        const connections = share(plan.connections, threads, i);
        const extra = Math.max(0, connections - (this.pools[i] as number));
        const vuFrom = this.nextVuId;
        this.nextVuId += extra;
        this.pools[i] = Math.max(this.pools[i] as number, connections);
        let connectionOffset = 0;
        for (let k = 0; k < i; k++) connectionOffset += share(plan.connections, threads, k);
        return runner.arm({
          ...plan.window,
          connections,
          vuFrom,
          totalConnections: plan.connections,
          connectionOffset,
          requests: plan.closedRequests === null ? null : share(plan.closedRequests, threads, i),
        });
      }),
    );
    const finished: FinishedPoint[] = [];
    let answered = 0;
    let errorsTotal = 0;
    const errorsTotalByKind: Record<string, number> = {};
    const pending = new Map<number, PendingPoint>();
    // The generator's CPU between two progress reports (from the window's start: see `windowStart`).
    let lastCpu = process.cpuUsage();
    let lastWall = performance.now();
    const onTick = (ordinal: number, s: TickSnapshot) => {
      let point = pending.get(ordinal);
      if (!point) {
        point = {
          ...emptySecond(),
          shards: 0,
          t: 0,
          failed: 0,
          completedByName: {},
          utilization: [],
          eventLoopDelayP99Ms: 0,
          sendLagP99Ms: null,
        };
        pending.set(ordinal, point);
      }
      point.shards++;
      point.t = Math.max(point.t, s.t);
      addSecondPart(point, s);
      point.failed += s.failed;
      answered += s.completed + s.failed;
      errorsTotal += s.errors;
      addCounts(errorsTotalByKind, s.errorsByKind);
      s.completedByName.forEach((n, i) => {
        const name = names[i] as string;
        point.completedByName[name] = (point.completedByName[name] ?? 0) + n;
      });
      point.utilization.push(s.utilization);
      point.eventLoopDelayP99Ms = Math.max(point.eventLoopDelayP99Ms, s.eventLoopDelayP99Ms);
      if (s.sendLagP99Ms !== null) point.sendLagP99Ms = Math.max(point.sendLagP99Ms ?? 0, s.sendLagP99Ms);
      if (point.shards < threads) return;
      pending.delete(ordinal);
      const { rps, p50Ms, p90Ms, p99Ms } = secondFigures(point);
      const latency = encodeHistogram(point.latency);
      finished.push({
        point: { t: point.t, rps: Math.round(rps * 10) / 10, p50Ms, p99Ms, errors: point.errors },
        latency,
      });
      const second: LoadSecond = {
        run,
        t: point.t,
        seconds: point.seconds,
        at: startedAtMs + Math.round(point.t * 1000),
        durationS: Number.isFinite(plan.durationMs) ? plan.durationMs / 1000 : null,
        sent: point.sent,
        completed: point.completed,
        errors: point.errors,
        errorsByKind: point.errorsByKind,
        latency,
      };
      const cpuNow = process.cpuUsage();
      const wallNow = performance.now();
      const cpuMs = (cpuNow.user + cpuNow.system - lastCpu.user - lastCpu.system) / 1000;
      const cpuPct = wallNow > lastWall ? (cpuMs / (wallNow - lastWall)) * 100 : 0;
      lastCpu = cpuNow;
      lastWall = wallNow;
      window.onProgress?.({
        elapsedS: point.t,
        durationS: plan.durationMs / 1000,
        rps,
        p50Ms,
        p90Ms,
        p99Ms,
        errors: point.errors,
        errorsTotal,
        completed: point.completed,
        answered,
        requestsTotal: plan.requests,
        completedByName: point.completedByName,
        errorsByKind: point.errorsByKind,
        errorsTotalByKind: { ...errorsTotalByKind },
        latencyHistogram: latency,
        second,
        generator: assessGenerator(cpuPct, point.utilization, point.eventLoopDelayP99Ms, point.sendLagP99Ms),
      });
    };

    const stopAll = () => {
      for (const r of runners) r.stop();
    };
    const signal = window.ctx?.signal;
    signal?.addEventListener('abort', stopAll, { once: true });
    // The measured window starts at `startAt` (wall clock) when given, else just after every thread is ready;
    // the threads start `warmupMs` before it, on the performance.timeOrigin-based clock they share.
    const { wallNow, originNow } = clockPair();
    const startedAtMs = plan.startAt ?? wallNow + START_DELAY_MS + plan.window.warmupMs;
    const startAtEpochMs = originNow + (startedAtMs - plan.window.warmupMs - wallNow);
    const run: RunIdentity = {
      target: given.url,
      model: plan.window.rate === null ? 'closed' : 'open',
      protocol: plan.setup.http2 ? 'h2' : 'http/1.1',
      startedAt: new Date(startedAtMs).toISOString(),
      ...(options.segment ? { segment: plan.segment } : {}),
    };
    const warnings: string[] = [];
    if (plan.startAt !== null && wallNow > plan.startAt)
      warnings.push(
        `this agent was ready ${wallNow - plan.startAt}ms after --start-at: the requests due before were not sent`,
      );
    // The generator's CPU is measured from the start of the window (not while waiting for it).
    let cpu0 = process.cpuUsage();
    let wall0 = performance.now();
    const windowStart = setTimeout(
      () => {
        cpu0 = process.cpuUsage();
        wall0 = performance.now();
        lastCpu = cpu0;
        lastWall = wall0;
      },
      Math.max(0, startAtEpochMs - performance.timeOrigin - wall0),
    );
    let reports: ShardReport[];
    try {
      if (signal?.aborted) stopAll();
      reports = await Promise.all(
        runners.map((r) => {
          let ordinal = 0;
          return r.run(startAtEpochMs, { tick: (s) => onTick(ordinal++, s) });
        }),
      );
    } finally {
      clearTimeout(windowStart);
      signal?.removeEventListener('abort', stopAll);
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    finished.sort((a, b) => a.point.t - b.point.t);
    const timeline = finished.map((f) => f.point);
    const durationS = timeline.length > 0 ? (timeline[timeline.length - 1] as TimelinePoint).t : 0;
    return buildResult(
      {
        target: given.url,
        grpc: plan.setup.grpc,
        grpcStreaming: plan.setup.grpcStreaming,
        // This agent's part of the offered rate: the rate of the schedule's requests it sends.
        rate: plan.window.rate === null ? null : plan.window.rate / plan.segment.count,
        connections: plan.connections,
        threads,
        pipelining: plan.setup.pipelining,
        protocol: plan.setup.http2 ? 'h2' : 'http/1.1',
        maxConcurrentStreams: this.maxConcurrentStreams,
        requestLimit: plan.requests,
        names,
        durationS,
        cpuPct: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
        startedAtMs,
        segment: options.segment ? plan.segment : null,
        timelineHistograms: finished.map((f) => f.latency),
        warnings,
      },
      reports,
      timeline,
      thresholds,
    );
  }
}

/** Load options with the gRPC target resolved: whether it is one, and whether its method streams responses. */
type GrpcResolved = LoadOptions & { grpc: boolean; grpcStreaming: boolean };

/**
 * A gRPC target (`grpc://`) becomes the HTTP/2 request it stands for; other options pass through.
 * @throws UsageError for a gRPC target without a usable proto, call or message, or with a scenario.
 */
async function resolveGrpc(options: LoadOptions): Promise<GrpcResolved> {
  if (!isGrpcUrl(options.url)) return { ...options, grpc: false, grpcStreaming: false };
  if (options.scenario)
    throw new UsageError('scenarios are for http(s) targets, not grpc://', { option: 'scenario' });
  const deadlineMs = duration(options.timeout, '10s', 'timeout');
  const request = await grpcRequest(options.url, {
    proto: options.proto,
    importPaths: options.importPaths,
    reflect: options.reflect,
    call: options.call,
    message: options.body,
    metadata: { ...options.headers, ...options.metadata },
    insecure: options.insecure ?? false,
    timeoutMs: Math.min(deadlineMs, 5000),
    deadlineMs,
  });
  const { serverStreaming, ...http } = request;
  return { ...options, ...http, http2: true, method: 'POST', grpc: true, grpcStreaming: serverStreaming };
}

/**
 * The wall clock (`Date.now()`, which agents on several machines share through NTP) and this process's
 * performance.timeOrigin-based clock read at one instant: of a few tries, the pair read closest together, so a
 * preemption between the two reads does not shift the start.
 */
function clockPair(): { wallNow: number; originNow: number } {
  let best = { wallNow: 0, originNow: 0, spread: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 5 && best.spread > 0.1; i++) {
    const before = performance.now();
    const wallNow = Date.now();
    const after = performance.now();
    if (after - before < best.spread)
      best = { wallNow, originNow: performance.timeOrigin + (before + after) / 2, spread: after - before };
  }
  return best;
}

/** The request names, in the order the threads count them. */
async function sourceNames(shard: Pick<ShardSetup, 'scenario' | 'method' | 'url'>): Promise<string[]> {
  if (!shard.scenario) return [`${shard.method} ${parseTarget(shard.url).path}`];
  const { scenario } = await loadScenario(shard.scenario);
  return scenario.requests.map(requestName);
}

function positiveInt(value: number | undefined, fallback: number, option: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1)
    throw new UsageError(`must be a positive integer, got ${value}`, { option });
  return v;
}

function duration(value: LoadOptions['duration'], fallback: string, option: string): number {
  try {
    return parseDuration(value ?? fallback);
  } catch (error) {
    throw new UsageError((error as Error).message, { option });
  }
}

/** The agent's segment: `{ index: 0, count: 1 }` alone. @throws UsageError for a segment out of range. */
function segmentOf(value: Segment | undefined): Segment {
  if (value === undefined) return { index: 0, count: 1 };
  const { index, count } = value;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new UsageError(`expected K/N with 0 ≤ K < N, got ${index}/${count}`, { option: 'segment' });
  return { index, count };
}

/** The shared start (epoch ms). @throws UsageError when it is more than 1 s in the past. */
function startAtOf(value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!Number.isFinite(value))
    throw new UsageError(`expected an epoch time in ms, got ${value}`, { option: 'startAt' });
  const pastMs = Date.now() - value;
  if (pastMs > MAX_START_AT_PAST_MS)
    throw new UsageError(
      `${new Date(value).toISOString()} is ${(pastMs / 1000).toFixed(1)}s in the past (agents' clocks out of sync?)`,
      { option: 'startAt' },
    );
  return Math.round(value);
}

/** Options checked, with defaults, split into the session's (`setup`) and the window's parts. */
type NormalizedPlan = ReturnType<typeof normalize>;

function normalize(options: GrpcResolved) {
  const segment = segmentOf(options.segment);
  const startAt = startAtOf(options.startAt);
  const totalConnections = positiveInt(options.connections, 64, 'connections');
  // With segments, connections (and request limits) are totals shared by the agents.
  const connections = share(totalConnections, segment.count, segment.index);
  if (connections === 0)
    throw new UsageError(
      `${totalConnections} connections cannot be shared by ${segment.count} segments (at least one each)`,
      { option: 'connections' },
    );
  let vuOffset = 0;
  for (let k = 0; k < segment.index; k++) vuOffset += share(totalConnections, segment.count, k);
  const local = isLoopback(parseTarget(options.url).host);
  const threads = Math.min(
    connections,
    positiveInt(options.threads, defaultThreads(availableParallelism(), local), 'threads'),
  );
  const pipelining = positiveInt(options.pipelining, 1, 'pipelining');
  const requests = options.requests ?? null;
  if (requests !== null && !(Number.isInteger(requests) && requests >= 1))
    throw new UsageError(`must be a positive integer, got ${requests}`, { option: 'requests' });
  // With a request limit and no duration, the run lasts as long as the requests take.
  let durationMs =
    requests !== null && options.duration === undefined
      ? Number.POSITIVE_INFINITY
      : duration(options.duration, '10s', 'duration');
  if (durationMs <= 0) throw new UsageError('must be more than 0', { option: 'duration' });
  const timeoutMs = duration(options.timeout, '10s', 'timeout');
  const warmupMs = duration(options.warmup, '0s', 'warmup');
  const rate = options.rate ?? null;
  if (rate !== null && (!Number.isFinite(rate) || rate <= 0))
    throw new UsageError(`must be above 0, got ${rate}`, { option: 'rate' });
  // Open model: the first N requests of the schedule are exactly those intended within N / rate.
  if (rate !== null && requests !== null) durationMs = Math.min(durationMs, (requests / rate) * 1000);
  const method = (options.method ?? (options.body !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (!/^[A-Z]+$/.test(method))
    throw new UsageError(`invalid method "${options.method}"`, { option: 'method' });
  const body =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? Buffer.from(options.body)
        : options.body;
  const insecure = options.insecure ?? false;
  const setup: Omit<ShardSetup, 'connections' | 'vuOffset' | 'thread'> = {
    url: options.url,
    insecure,
    segment,
    pipelining,
    http2: options.http2 ?? false,
    grpc: options.grpc,
    grpcStreaming: options.grpcStreaming,
    open: rate !== null,
    timeoutMs,
    method,
    headers: options.headers ?? {},
    body,
    scenario: options.scenario ?? null,
  };
  // What every thread's window shares (each adds its connections, offsets and request limit).
  const window = { fixedStart: startAt !== null, rate, durationMs, warmupMs };
  // This agent's requests: its share of the limit (open model: the j < N of the schedule with j mod count = index).
  const agentRequests = requests === null ? null : share(requests, segment.count, segment.index);
  const closedRequests = rate === null ? agentRequests : null;
  return {
    connections,
    vuOffset,
    threads,
    durationMs,
    timeoutMs,
    insecure,
    requests: agentRequests,
    closedRequests,
    segment,
    startAt,
    setup,
    window,
  };
}
