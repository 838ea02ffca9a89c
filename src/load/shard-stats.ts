/**
 * What one generator thread measures: counters, and latency recorded into a per-second interval histogram
 * that is folded into the run's total at every tick (one record per response, no per-sample storage).
 */
import { grpcCodeName } from './grpc/codes.js';
import { encodeHistogram, type Histogram, recordingHistogram, recordMs } from './histogram.js';

/** One second of one thread, as sent to the coordinator. */
export interface TickSnapshot {
  /** Seconds since the measured window started (end of this interval). */
  t: number;
  /** Interval length in seconds (the last one may be partial). */
  seconds: number;
  completed: number;
  errors: number;
  /** Requests that got no response in this interval (a subset of `errors`). */
  failed: number;
  /** Measured requests written in this interval. */
  sent: number;
  latency: string;
  /** Responses per request name (index) in this interval. */
  completedByName: number[];
  /** Errors by kind in this interval (kinds with none left out). */
  errorsByKind: Record<string, number>;
  /** Busy fraction of this thread's event loop over the interval (0–1). */
  utilization: number;
  /** This thread's event-loop delay p99 since the window started, ms. */
  eventLoopDelayP99Ms: number;
  /** Open model: how far this thread's sends slipped behind schedule since the start (p99 ms); null closed. */
  sendLagP99Ms: number | null;
}

/** What a thread measured of itself over an interval, for its tick. */
export interface TickHealth {
  utilization: number;
  eventLoopDelayP99Ms: number;
}

/** Plain counters of one thread (summed across threads by the coordinator). */
export interface ShardCounters {
  sent: number;
  completed: number;
  errors: number;
  timeouts: number;
  status: [number, number, number, number];
  errorsByKind: Record<string, number>;
  /** gRPC: responses by `grpc-status` name; `grpcErrors` those not OK (each also an error). */
  grpcStatus: Record<string, number>;
  grpcErrors: number;
  /** Server-streaming gRPC calls (null otherwise): messages of the calls that ended with trailers. */
  grpcStream: GrpcStreamCounters | null;
  sentByName: number[];
  completedByName: number[];
  bytesRead: number;
  bytesWritten: number;
}

/** Response messages of server-streaming calls that ended with trailers (whatever their status). */
export interface GrpcStreamCounters {
  calls: number;
  messages: number;
  /** Fewest and most messages of one call (0 while `calls` is 0). */
  minPerCall: number;
  maxPerCall: number;
}

/** A thread's final report. */
export interface ShardReport {
  counters: ShardCounters;
  latency: string;
  firstByte: string;
  /** Open model only: full response time from the actual send (closed: it is the latency). */
  response: string | null;
  connect: string;
  tls: string | null;
  sendLag: string | null;
  /** Server-streaming gRPC: time to each call's first message, from the (intended) send; null otherwise. */
  firstMessage: string | null;
  /** Event-loop utilisation of this thread over the measured window (0–1). */
  utilization: number;
  eventLoopDelayP99Ms: number;
}

/** Counters and histograms of one thread. */
export class ShardStats {
  readonly counters: ShardCounters;
  readonly firstByte = recordingHistogram();
  readonly connect = recordingHistogram();
  readonly tls: Histogram | null;
  readonly sendLag: Histogram | null;
  private readonly firstMessage: Histogram | null;
  private readonly response: Histogram | null;
  private readonly total = recordingHistogram();
  private readonly interval = recordingHistogram();
  private intervalCompleted = 0;
  private intervalErrors = 0;
  private intervalFailed = 0;
  /** The sent, by-name and by-kind counters at the last tick, to take each interval's part once a second. */
  private tickedByName: number[];
  private tickedByKind: Record<string, number> = {};
  private tickedSent = 0;
  /** Called after each measured request is answered or failed (set only when a request limit is watched). */
  onAnswered: (() => void) | null = null;

  constructor(names: number, secure: boolean, open: boolean, grpcStreaming = false) {
    this.counters = {
      sent: 0,
      completed: 0,
      errors: 0,
      timeouts: 0,
      status: [0, 0, 0, 0],
      errorsByKind: {},
      grpcStatus: {},
      grpcErrors: 0,
      grpcStream: grpcStreaming ? { calls: 0, messages: 0, minPerCall: 0, maxPerCall: 0 } : null,
      sentByName: new Array<number>(names).fill(0),
      completedByName: new Array<number>(names).fill(0),
      bytesRead: 0,
      bytesWritten: 0,
    };
    this.tickedByName = new Array<number>(names).fill(0);
    this.tls = secure ? recordingHistogram() : null;
    this.sendLag = open ? recordingHistogram() : null;
    this.response = open ? recordingHistogram() : null;
    this.firstMessage = grpcStreaming ? recordingHistogram() : null;
  }

  /** A measured request was written. */
  sent(name: number): void {
    this.counters.sent++;
    (this.counters.sentByName[name] as number)++;
  }

  /** Measured requests answered with a response or failed without one, so far. */
  get answered(): number {
    const c = this.counters;
    return c.completed + c.errors - c.status[2] - c.status[3] - c.grpcErrors;
  }

  /**
   * A measured response arrived: latency from the (intended) send; first byte and full response from the actual
   * send (the two differ from the latency only in the open model).
   */
  completed(name: number, status: number, latencyMs: number, firstByteMs: number, responseMs: number): void {
    const c = this.counters;
    c.completed++;
    (c.completedByName[name] as number)++;
    this.intervalCompleted++;
    recordMs(this.interval, latencyMs);
    recordMs(this.firstByte, firstByteMs);
    if (this.response) recordMs(this.response, responseMs);
    const cls = ((status / 100) | 0) - 2;
    if (cls >= 0 && cls <= 3) (c.status[cls] as number)++;
    if (status >= 400) {
      c.errors++;
      this.intervalErrors++;
      const kind = status >= 500 ? 'http-5xx' : 'http-4xx';
      c.errorsByKind[kind] = (c.errorsByKind[kind] ?? 0) + 1;
    }
    this.onAnswered?.();
  }

  /**
   * gRPC: the `grpc-status` of a measured response just counted by `completed` (-1: the server sent none, which
   * gRPC reads as UNKNOWN). A status other than OK is an error of kind `grpc-<NAME>`.
   */
  grpcStatus(code: number): void {
    const c = this.counters;
    const name = grpcCodeName(code < 0 ? 2 : code);
    c.grpcStatus[name] = (c.grpcStatus[name] ?? 0) + 1;
    if (code === 0) return;
    c.errors++;
    c.grpcErrors++;
    this.intervalErrors++;
    const kind = `grpc-${name}`;
    c.errorsByKind[kind] = (c.errorsByKind[kind] ?? 0) + 1;
  }

  /**
   * Server-streaming gRPC: a measured call just counted by `completed` received `messages` response messages, the
   * first `firstMessageMs` after its (intended) send (ignored when `messages` is 0).
   */
  grpcMessages(messages: number, firstMessageMs: number): void {
    const s = this.counters.grpcStream as GrpcStreamCounters;
    if (s.calls === 0 || messages < s.minPerCall) s.minPerCall = messages;
    if (messages > s.maxPerCall) s.maxPerCall = messages;
    s.calls++;
    s.messages += messages;
    if (messages > 0) recordMs(this.firstMessage as Histogram, firstMessageMs);
  }

  /** `count` measured requests (sent earlier) failed without a response. */
  failed(kind: string, count: number): void {
    if (count === 0) return;
    const c = this.counters;
    c.errors += count;
    this.intervalErrors += count;
    this.intervalFailed += count;
    if (kind === 'timeout') c.timeouts += count;
    c.errorsByKind[kind] = (c.errorsByKind[kind] ?? 0) + count;
    this.onAnswered?.();
  }

  /**
   * A measured connection attempt failed before any request could be written: it counts as one attempted request
   * (sent) that failed, so `sent = completed + no-response errors` holds.
   */
  attemptFailed(kind: string): void {
    this.counters.sent++;
    this.failed(kind, 1);
  }

  /** Closes the current interval: returns its snapshot (with the thread's `health`) and folds it into the total. */
  tick(t: number, seconds: number, health: TickHealth): TickSnapshot {
    const lag = this.sendLag;
    const snapshot: TickSnapshot = {
      t,
      seconds,
      completed: this.intervalCompleted,
      errors: this.intervalErrors,
      failed: this.intervalFailed,
      latency: encodeHistogram(this.interval),
      ...this.intervalCounts(),
      ...health,
      sendLagP99Ms: lag ? (lag.totalCount > 0 ? lag.getValueAtPercentile(99) / 1000 : 0) : null,
    };
    this.fold();
    return snapshot;
  }

  /** Folds what is left (responses drained after the window) and serialises everything. */
  report(utilization: number, eventLoopDelayP99Ms: number): ShardReport {
    this.fold();
    const report: ShardReport = {
      counters: this.counters,
      latency: encodeHistogram(this.total),
      firstByte: encodeHistogram(this.firstByte),
      response: this.response ? encodeHistogram(this.response) : null,
      connect: encodeHistogram(this.connect),
      tls: this.tls ? encodeHistogram(this.tls) : null,
      sendLag: this.sendLag ? encodeHistogram(this.sendLag) : null,
      firstMessage: this.firstMessage ? encodeHistogram(this.firstMessage) : null,
      utilization,
      eventLoopDelayP99Ms,
    };
    const all = [
      this.total,
      this.interval,
      this.firstByte,
      this.response,
      this.connect,
      this.tls,
      this.sendLag,
      this.firstMessage,
    ];
    for (const h of all) h?.destroy();
    return report;
  }

  /** This interval's part of the sent, by-name and by-kind counters (once a second, off the per-request path). */
  private intervalCounts(): Pick<TickSnapshot, 'sent' | 'completedByName' | 'errorsByKind'> {
    const sent = this.counters.sent - this.tickedSent;
    this.tickedSent = this.counters.sent;
    const byName = this.counters.completedByName;
    const completedByName = byName.map((n, i) => n - (this.tickedByName[i] as number));
    this.tickedByName = byName.slice();
    const errorsByKind: Record<string, number> = {};
    for (const [kind, n] of Object.entries(this.counters.errorsByKind)) {
      const delta = n - (this.tickedByKind[kind] ?? 0);
      if (delta > 0) errorsByKind[kind] = delta;
    }
    this.tickedByKind = { ...this.counters.errorsByKind };
    return { sent, completedByName, errorsByKind };
  }

  private fold(): void {
    this.total.add(this.interval);
    this.interval.reset();
    this.intervalCompleted = 0;
    this.intervalErrors = 0;
    this.intervalFailed = 0;
  }
}
