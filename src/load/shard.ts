/**
 * One generator thread's share of a run: prepares its virtual users (scenario setup, sockets open), then runs
 * its connections over a measured window, emitting a snapshot every second and a final report. A session runs
 * several windows on the same virtual users and sockets (armed for each: its rate, length, connections). It runs
 * the same in-process or inside a worker thread.
 */
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Connection } from './connection.js';
import { H2Connection } from './http2/h2-connection.js';
import { H2RequestEncoder } from './http2/request.js';
import { type RequestSource, StaticSource } from './request-source.js';
import { createVirtualUser, loadScenario, runSetup, ScenarioSource } from './scenario/index.js';
import type { VirtualUserRuntime } from './scenario/virtual-user.js';
import { type ShardReport, ShardStats, type TickSnapshot } from './shard-stats.js';
import type { ConnectionHost, LoadConnection } from './socket-connection.js';
import { parseTarget, type Target } from './target.js';

/** What a thread keeps for every window it runs (structured-clone safe). */
export interface ShardSetup {
  url: string;
  insecure: boolean;
  /** Connections opened up front; their virtual users are `vuOffset … vuOffset + connections - 1` (unique over agents). */
  connections: number;
  vuOffset: number;
  thread: { index: number; count: number };
  /** This agent's part of a multi-agent run ({ index: 0, count: 1 } alone). */
  segment: { index: number; count: number };
  /** Concurrent requests per connection: pipelined (HTTP/1.1) or streams (HTTP/2). */
  pipelining: number;
  /** Speak HTTP/2 (h2c with prior knowledge for http://, ALPN h2 for https://) instead of HTTP/1.1. */
  http2: boolean;
  /** A gRPC call (over HTTP/2): each response's `grpc-status` is counted. */
  grpc: boolean;
  /** A server-streaming gRPC call: each call's response messages are counted and its first one timed. */
  grpcStreaming: boolean;
  /** Open model (every window has a rate) rather than closed. */
  open: boolean;
  timeoutMs: number;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  scenario: string | null;
}

/** One measured window of a thread (structured-clone safe): what may change from one window to the next. */
export interface ShardWindow {
  /** Connections this window runs on (the first ones of the thread; more are opened when it has fewer). */
  connections: number;
  /** The virtual user id of the first connection opened for this window, when the thread has fewer than needed. */
  vuFrom: number;
  /** Connections of this agent (all its threads) in this window; this thread's are `connectionOffset …` among them. */
  totalConnections: number;
  connectionOffset: number;
  /**
   * The window starts at an instant shared with other agents (`startAt`): schedule slots this thread missed by
   * being ready late are skipped rather than sent in a burst.
   */
  fixedStart: boolean;
  /** Open model rate of the whole run, over every agent (req/s), or null. */
  rate: number | null;
  /** Closed model: measured requests this thread sends before its window ends (`-n`, split); null: no limit. */
  requests: number | null;
  durationMs: number;
  warmupMs: number;
}

/** Ticks and the final report flow out through this. */
export interface ShardOutput {
  tick(snapshot: TickSnapshot): void;
}

const DRAIN_CAP_MS = 5000;
/** After Ctrl-C, in-flight requests get this long to answer before they count as `cancelled`. */
const INTERRUPTED_DRAIN_MS = 250;
const DELAY_RESOLUTION_MS = 10;
/** With a shared start, slots more than this far past when the thread is started are skipped, not sent at once. */
const LATE_START_TOLERANCE_MS = 10;

/** Event-loop delay p99 in ms: the histogram counts the sampling interval itself; what matters is beyond it. */
function delayP99Ms(delay: IntervalHistogram): number {
  return delay.count > 0 ? Math.max(0, delay.percentile(99) / 1e6 - DELAY_RESOLUTION_MS) : 0;
}

/** A prepared thread share: armed for a window, run, and armed again for the next one (a load session). */
export class Shard implements ConnectionHost {
  readonly target: Target;
  readonly insecure: boolean;
  readonly pipelining: number;
  readonly timeoutMs: number;
  /** The current window's figures (a fresh set for every window after the first). */
  stats: ShardStats;
  running = true;
  measureFrom = Number.POSITIVE_INFINITY;
  sendUntil = Number.NEGATIVE_INFINITY;
  remaining = Number.POSITIVE_INFINITY;
  /** Set by `stop()`: the run was cut short from outside (Ctrl-C, a deadline), not ended by its own limits. */
  private interrupted = false;
  /** Every connection the thread has opened (each its virtual user, kept across windows). */
  private readonly pool: LoadConnection[] = [];
  /** The ones the armed window runs on (the first of the pool). */
  private connections: LoadConnection[] = [];
  private window: ShardWindow | null = null;
  /** Whether the current stats were used by a run (the next window then starts a fresh set). */
  private ran = false;
  private readonly idleSet = new Set<LoadConnection>();
  private onAllIdle: (() => void) | null = null;
  private stopEarly: (() => void) | null = null;

  private constructor(
    private readonly setup: ShardSetup,
    readonly source: RequestSource,
    private readonly newConnection: (vuId: number) => Promise<LoadConnection>,
  ) {
    this.target = parseTarget(setup.url);
    this.insecure = setup.insecure;
    this.pipelining = Math.max(1, setup.pipelining);
    this.timeoutMs = setup.timeoutMs;
    this.stats = this.freshStats();
  }

  /** Counts measured requests against the request limit. */
  take(n: number): void {
    this.remaining -= n;
  }

  /** Builds the request source, runs `setup` per virtual user and opens every socket. */
  static async prepare(setup: ShardSetup): Promise<Shard> {
    const target = parseTarget(setup.url);
    let source: RequestSource;
    let makeVu: (vuId: number) => Promise<VirtualUserRuntime> = async (vuId) => createVirtualUser(vuId);
    if (setup.scenario) {
      const loaded = await loadScenario(setup.scenario);
      const scenarioSource = await ScenarioSource.create(
        loaded,
        target.hostHeader,
        setup.thread,
        setup.segment,
      );
      source = scenarioSource;
      makeVu = async (vuId) => {
        const vu = createVirtualUser(vuId, scenarioSource.vars);
        await runSetup(loaded.scenario, vu, target.origin, setup.insecure);
        return vu;
      };
    } else {
      source = new StaticSource(
        setup.method,
        target.path,
        target.hostHeader,
        setup.headers,
        setup.body,
        setup.pipelining,
      );
    }
    const encoder = setup.http2 ? new H2RequestEncoder(target.tls ? 'https' : 'http') : null;
    const shard: Shard = new Shard(setup, source, async (vuId) => {
      const vu = await makeVu(vuId);
      return encoder
        ? new H2Connection(shard, vu, encoder, setup.grpc, setup.grpcStreaming)
        : new Connection(shard, vu);
    });
    await shard.grow(setup.connections, setup.vuOffset);
    return shard;
  }

  /**
   * Makes the thread ready for `window`: opens (and sets up the virtual users of) the connections it lacks,
   * reopens the window's connections the server closed since the last one, closes the sockets of those it does not
   * use, and starts a fresh set of figures. The virtual users and their `setup` state stay.
   */
  async arm(window: ShardWindow): Promise<void> {
    if (this.ran) this.stats = this.freshStats();
    this.ran = false;
    this.window = window;
    this.running = true;
    this.interrupted = false;
    this.measureFrom = Number.POSITIVE_INFINITY;
    this.sendUntil = Number.NEGATIVE_INFINITY;
    this.remaining = window.requests ?? Number.POSITIVE_INFINITY;
    const limit = window.requests;
    // The window ends once every request of the limit has been answered (or failed).
    this.stats.onAnswered =
      limit === null
        ? null
        : () => {
            if (this.stats.answered >= limit) this.finish();
          };
    this.idleSet.clear();
    this.onAllIdle = null;
    this.stopEarly = null;
    await this.grow(window.connections - this.pool.length, window.vuFrom);
    this.connections = this.pool.slice(0, window.connections);
    for (const c of this.pool.slice(window.connections)) c.destroy();
    await Promise.all(this.connections.map((c) => c.reopen()));
  }

  /** Adds `count` connections (virtual users `vuFrom …`) to the pool and opens them. */
  private async grow(count: number, vuFrom: number): Promise<void> {
    if (count <= 0) return;
    const added = await Promise.all(Array.from({ length: count }, (_, i) => this.newConnection(vuFrom + i)));
    this.pool.push(...added);
    await Promise.all(added.map((c) => c.open()));
  }

  private freshStats(): ShardStats {
    const { setup } = this;
    return new ShardStats(this.source.names.length, this.target.tls, setup.open, setup.grpcStreaming);
  }

  /**
   * Runs the armed window starting at `startAt` (performance.now() time of this thread): warm-up, then the
   * measured duration, then drains in-flight requests. Resolves with the thread's report; the sockets stay open
   * for the next window (those with requests still unanswered are dropped).
   */
  async run(startAt: number, output: ShardOutput): Promise<ShardReport> {
    const plan = this.window;
    if (plan === null) throw new Error('Shard.run before arm');
    this.window = null;
    this.ran = true;
    const calledAt = performance.now();
    await sleepUntil(startAt);
    // Timers may fire a hair early: the window starts at whichever comes first.
    startAt = Math.min(startAt, performance.now());
    const measureFrom = startAt + plan.warmupMs;
    const endAt = measureFrom + plan.durationMs;
    this.schedule(plan, startAt, calledAt);
    this.measureFrom = measureFrom;
    this.sendUntil = endAt;
    if (plan.requests === 0) this.finish();
    for (const c of this.connections) c.start();

    await sleepUntil(measureFrom, this);
    const elu0 = performance.eventLoopUtilization();
    const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
    delay.enable();
    const timeoutCheck = setInterval(
      () => {
        const now = performance.now();
        for (const c of this.connections) c.checkTimeout(now, this.timeoutMs);
      },
      Math.min(250, Math.max(10, this.timeoutMs / 4)),
    );

    // One snapshot per second of the measured window (the last may be partial, or cut short by stop()).
    let intervalStart = measureFrom;
    let intervalElu = elu0;
    while (intervalStart < endAt) {
      const intervalEnd = Math.min(intervalStart + 1000, endAt);
      await sleepUntil(intervalEnd, this);
      const end = this.running ? intervalEnd : Math.min(performance.now(), intervalEnd);
      const t = Math.round(end - measureFrom) / 1000;
      const elu = performance.eventLoopUtilization();
      const busy = performance.eventLoopUtilization(elu, intervalElu).utilization;
      intervalElu = elu;
      output.tick(
        this.stats.tick(t, (end - intervalStart) / 1000, {
          utilization: busy,
          eventLoopDelayP99Ms: delayP99Ms(delay),
        }),
      );
      intervalStart = end;
      if (!this.running) break;
    }
    // A window that ran its course ends at `endAt` even if the last timer fired a hair early (the open model's
    // requests intended just before it are still sent); one cut short ends now.
    const measuredEnd = this.running ? endAt : Math.min(performance.now(), endAt);
    const utilization = performance.eventLoopUtilization(elu0).utilization;
    delay.disable();
    const eventLoopDelayP99Ms = delayP99Ms(delay);

    // Stop sending; let what is in flight come back (bounded), so server-side counts match. What is still
    // unanswered then failed: a timeout, or cancelled when the run was interrupted.
    this.running = false;
    this.sendUntil = measuredEnd;
    const drainMs = Math.min(this.timeoutMs, DRAIN_CAP_MS);
    await this.drain(this.interrupted ? Math.min(drainMs, INTERRUPTED_DRAIN_MS) : drainMs);
    clearInterval(timeoutCheck);
    const kind = this.interrupted ? 'cancelled' : 'timeout';
    for (const c of this.connections) c.settle(kind);
    return this.stats.report(utilization, eventLoopDelayP99Ms);
  }

  /**
   * Spreads the one global schedule (request j at `startAt + j / rate`) over the agents and their connections:
   * agent K of N takes the requests j = K + N·q, and its q-th goes to its connection q mod C (C its connections).
   * With a shared start, slots already past when the thread was told to start (`calledAt`) are skipped.
   */
  private schedule(plan: ShardWindow, startAt: number, calledAt: number): void {
    if (plan.rate === null) {
      for (const c of this.connections) c.setSchedule(null);
      return;
    }
    const { segment } = this.setup;
    const globalInterval = 1000 / plan.rate;
    const agentInterval = globalInterval * segment.count;
    const intervalMs = agentInterval * plan.totalConnections;
    const skipBefore = calledAt - LATE_START_TOLERANCE_MS;
    this.connections.forEach((c, i) => {
      let firstAt = startAt + segment.index * globalInterval + (plan.connectionOffset + i) * agentInterval;
      if (plan.fixedStart && firstAt < skipBefore)
        firstAt += Math.ceil((skipBefore - firstAt) / intervalMs) * intervalMs;
      c.setSchedule({ firstAt, intervalMs });
    });
  }

  /**
   * Ends the window now as if its duration had run out: sending stops and what is in flight drains as usual (not
   * cancelled, unlike `stop`).
   */
  end(): void {
    if (this.running) this.finish();
  }

  /** Ends the window early from outside (Ctrl-C, a deadline); `run` resolves with what was measured. */
  stop(): void {
    this.interrupted = true;
    this.finish();
  }

  /** Ends the window now (stopped, or every request of the limit answered). */
  private finish(): void {
    this.running = false;
    this.stopEarly?.();
  }

  /** Closes every socket (the session ends, or a prepare is abandoned). */
  close(): void {
    this.running = false;
    for (const c of this.pool) c.destroy();
  }

  /** A connection has nothing in flight after the run stopped; the drain ends once all are idle. */
  idle(connection: LoadConnection): void {
    this.idleSet.add(connection);
    if (this.idleSet.size >= this.connections.length) this.onAllIdle?.();
  }

  /** Lets sleeps be cut short by `stop()`. */
  wake(resolve: () => void): void {
    this.stopEarly = resolve;
  }

  /** Waits until nothing is in flight, `capMs` at most; a `stop()` meanwhile (Ctrl-C) ends the wait at once. */
  private drain(capMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, capMs);
      this.onAllIdle = done;
      this.wake(done);
      for (const c of this.connections) c.stop();
    });
  }
}

/** Resolves at `at` (performance.now() time), or early when the shard is stopped. */
function sleepUntil(at: number, shard?: Shard): Promise<void> {
  return new Promise((resolve) => {
    if (shard && !shard.running) return resolve();
    const timer = setTimeout(resolve, Math.max(0, at - performance.now()));
    shard?.wake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
