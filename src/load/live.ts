/**
 * The live side of a distributed run: the per-second push an agent sends (`headroom.live/v1`, one second of its
 * measured window with the run's identity) and `LiveMerger`, the collector's state that merges the agents' seconds
 * by wall-clock second — counts summed, latency histograms merged exactly — and emits each merged second once it
 * is settled. It never prints: renderers (the terminal view, a dashboard) hang on its events.
 */
import { UsageError } from '../errors.js';
import { addCounts, addSecondPart, emptySecond, type SecondSum, secondFigures } from './second-sum.js';
import type { LiveSummary, LoadSecond, RunIdentity } from './types.js';

/** The schema of a per-second push. */
export const LIVE_SCHEMA = 'headroom.live/v1';

/** One per-second push as JSON: the run's identity and one second of one agent (`LoadSecond` flattened). */
export interface LivePush extends RunIdentity, Omit<LoadSecond, 'run'> {
  schema: typeof LIVE_SCHEMA;
}

/** One wall-clock second of the run, merged over the agents that reported it. */
export interface LiveSecond {
  /** The second's ordinal from the run's start (1 = the first second of the measured window). */
  t: number;
  /** Its end on the wall clock (epoch ms). */
  at: number;
  /** Agents (segments) that reported this second, and how many the collector expects. */
  agents: number;
  expected: number;
  sent: number;
  completed: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** Completed per second of this second. */
  rps: number;
  /** Exact percentiles of every sample of the second, from the merged histogram. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/** The run so far, over every second pushed (settled or not). */
export interface LiveTotals {
  /** The latest settled second. */
  elapsedS: number;
  /** The planned window (null when the agents run until a request count is done). */
  durationS: number | null;
  sent: number;
  completed: number;
  errors: number;
  /** Errors by kind over every second pushed. */
  errorsByKind: Record<string, number>;
  /** Requests answered with a response or failed without one. */
  answered: number;
  /** Agents that pushed at least one second, of `expected`. */
  agents: number;
  expected: number;
}

/** A second is shown once every expected agent reported it, or this long after its first report arrived. */
export const SETTLE_MS = 1500;

/** The agent's push for one of its seconds. */
export function toLivePush(second: LoadSecond): LivePush {
  const { run, ...rest } = second;
  return { schema: LIVE_SCHEMA, ...run, ...rest };
}

/**
 * Checks a parsed JSON value is a per-second push.
 * @throws UsageError (code `unreadable-file`) naming `source` otherwise.
 */
export function asLivePush(value: unknown, source: string): LivePush {
  const p = value as Partial<LivePush> | null;
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (
    typeof p !== 'object' ||
    p === null ||
    p.schema !== LIVE_SCHEMA ||
    typeof p.target !== 'string' ||
    (p.model !== 'open' && p.model !== 'closed') ||
    (p.protocol !== 'http/1.1' && p.protocol !== 'h2') ||
    typeof p.startedAt !== 'string' ||
    Number.isNaN(Date.parse(p.startedAt)) ||
    ![p.t, p.seconds, p.at, p.sent, p.completed, p.errors].every(finite) ||
    typeof p.errorsByKind !== 'object' ||
    p.errorsByKind === null ||
    typeof p.latency !== 'string'
  )
    throw new UsageError(`the push from ${source} is not a ${LIVE_SCHEMA} second`, {
      code: 'unreadable-file',
    });
  return p as LivePush;
}

/** One wall-clock second: its sum over the agents that reported it. */
interface Bucket extends SecondSum {
  t: number;
  at: number;
  segments: Set<number>;
  /** When its first push arrived (collector clock, ms). */
  firstAt: number;
  settled: boolean;
}

/** Errors without a response: every kind but a status (`http-4xx`/`5xx`) or a gRPC status. */
const noResponse = (kind: string) => !kind.startsWith('http-') && !kind.startsWith('grpc-');

/**
 * Merges the agents' per-second pushes by wall-clock second. Seconds are numbered from the start of the first push
 * seen (with `--start-at`, every agent's start). A second is settled — `onSecond` called once — when every expected
 * agent reported it, at the latest `SETTLE_MS` after its first report (`settleDue`); a report arriving after that is
 * still counted in the totals and the summary, but not emitted again.
 */
export class LiveMerger {
  private readonly buckets = new Map<number, Bucket>();
  private readonly agents = new Set<number>();
  private startMs: number | null = null;
  private durationS: number | null = null;
  private elapsedS = 0;
  private pushes = 0;

  /**
   * @param expected the agents of the run (`--expect N`)
   * @param onSecond called with each settled second and the totals so far
   * @param now the collector's clock (ms), injectable for tests
   */
  constructor(
    private readonly expected: number,
    private readonly onSecond: (second: LiveSecond, totals: LiveTotals) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Adds one agent's second (already checked to be of this run); a second pushed twice counts once. */
  add(push: LivePush): void {
    const startMs = Date.parse(push.startedAt);
    this.startMs ??= startMs;
    this.durationS = push.durationS;
    const t = Math.max(1, Math.ceil((push.at - this.startMs) / 1000 - 0.001));
    const segment = push.segment?.index ?? 0;
    let bucket = this.buckets.get(t);
    if (!bucket) {
      bucket = { ...emptySecond(), t, at: push.at, segments: new Set(), firstAt: this.now(), settled: false };
      this.buckets.set(t, bucket);
    }
    if (bucket.segments.has(segment)) return;
    bucket.segments.add(segment);
    this.agents.add(segment);
    this.pushes++;
    bucket.at = Math.max(bucket.at, push.at);
    addSecondPart(bucket, push);
    if (!bucket.settled && bucket.segments.size >= this.expected) this.settle(bucket);
  }

  /** Settles the seconds whose first report is `SETTLE_MS` old (call it a few times a second). */
  settleDue(): void {
    const now = this.now();
    for (const bucket of this.sorted())
      if (!bucket.settled && now - bucket.firstAt >= SETTLE_MS) this.settle(bucket);
  }

  /** Settles every second left and returns what was pushed (null when nothing was). */
  finish(): LiveSummary | null {
    for (const bucket of this.sorted()) if (!bucket.settled) this.settle(bucket);
    if (this.pushes === 0) return null;
    const totals = this.totals();
    return {
      pushes: this.pushes,
      agents: this.agents.size,
      sent: totals.sent,
      completed: totals.completed,
      errors: totals.errors,
      seconds: this.sorted().map((b) => {
        const { t, agents, sent, completed, errors, rps, p50Ms, p99Ms } = this.second(b);
        return { t, agents, sent, completed, errors, rps, p50Ms, p99Ms };
      }),
    };
  }

  private sorted(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => a.t - b.t);
  }

  private settle(bucket: Bucket): void {
    bucket.settled = true;
    this.elapsedS = Math.max(this.elapsedS, bucket.t);
    this.onSecond(this.second(bucket), this.totals());
  }

  private second(b: Bucket): LiveSecond {
    const { rps, p50Ms, p90Ms, p99Ms } = secondFigures(b);
    return {
      t: b.t,
      at: b.at,
      agents: b.segments.size,
      expected: this.expected,
      sent: b.sent,
      completed: b.completed,
      errors: b.errors,
      errorsByKind: { ...b.errorsByKind },
      rps: Math.round(rps * 10) / 10,
      p50Ms,
      p90Ms,
      p99Ms,
    };
  }

  private totals(): LiveTotals {
    let sent = 0;
    let completed = 0;
    let errors = 0;
    let failed = 0;
    const errorsByKind: Record<string, number> = {};
    for (const b of this.buckets.values()) {
      sent += b.sent;
      completed += b.completed;
      errors += b.errors;
      addCounts(errorsByKind, b.errorsByKind);
      for (const [kind, n] of Object.entries(b.errorsByKind)) if (noResponse(kind)) failed += n;
    }
    return {
      elapsedS: this.elapsedS,
      durationS: this.durationS,
      sent,
      completed,
      errors,
      errorsByKind,
      answered: completed + failed,
      agents: this.agents.size,
      expected: this.expected,
    };
  }
}
