/**
 * `mergeResults()`: the results of the agents of one run (`--segment K/N` with one `--start-at`) as one
 * `headroom.load/v1` result. Counts are summed, histograms merged exactly (the merged p99 is the p99 of every
 * sample, not an average of p99s), timelines aligned by wall-clock second, the generator bound if any agent was,
 * and thresholds judged on the merged result. Results of different runs are refused.
 */
import { UsageError } from '../errors.js';
import {
  addStreamCounts,
  emptyHistograms,
  encodeHistograms,
  latencyFields,
  setGrpcStreaming,
} from './build-result.js';
import { addEncoded, encodeHistogram, type Histogram, mergingHistogram } from './histogram.js';
import type { GrpcStreamCounters } from './shard-stats.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';
import type { AgentHealth, LoadResult, RequestCounts, RunIdentity, Segment, TimelinePoint } from './types.js';

/** A result and where it came from (a file name), for messages. */
export interface SourcedResult {
  source: string;
  result: LoadResult;
}

/** Agents' windows must start within this of each other to be one run (with `--start-at` they are equal). */
const MAX_START_SKEW_MS = 1000;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Checks that a parsed JSON value is a `headroom.load/v1` result that can be merged (it has its histograms).
 * @throws UsageError naming `source` otherwise.
 */
export function asLoadResult(value: unknown, source: string): LoadResult {
  const r = value as Partial<LoadResult> | null;
  if (typeof r !== 'object' || r === null || r.schema !== 'headroom.load/v1')
    throw new UsageError(`${source} is not a headroom.load/v1 result`, { code: 'unreadable-file' });
  const h = r.histograms;
  if (
    typeof h !== 'object' ||
    typeof h.latency !== 'string' ||
    !Array.isArray(h.timeline) ||
    !Array.isArray(r.timeline) ||
    h.timeline.length !== r.timeline.length ||
    typeof r.startedAt !== 'string' ||
    Number.isNaN(Date.parse(r.startedAt))
  )
    throw new UsageError(
      `${source} has no histograms or start time (written by an older headroom?): it cannot be merged exactly`,
      { code: 'unreadable-file' },
    );
  return r as LoadResult;
}

/** The segment of a result as text: `2/4`, or `-` without one. */
const segmentText = (s: Segment | undefined) => (s ? `${s.index}/${s.count}` : '-');

/** A run's identity (a result, or a collector's live push) and where it came from, for messages. */
export interface SourcedIdentity {
  source: string;
  result: RunIdentity;
}

/**
 * Refuses identities that are not of one run: a different target, model, protocol or segment count, or windows
 * that did not start together (a segment may appear more than once: see `assertSameRun`).
 * @throws UsageError with one line naming the sources that differ.
 */
export function assertOneRun(items: readonly SourcedIdentity[]): void {
  const [first, ...rest] = items;
  if (!first) throw new UsageError('nothing to merge: give the result files of the agents');
  const a = first.result;
  const differs = (what: string, x: SourcedIdentity, va: unknown, vb: unknown) =>
    new UsageError(
      `cannot merge results of different runs: ${first.source} has ${what} ${va}, ${x.source} has ${vb}`,
    );
  for (const x of rest) {
    const b = x.result;
    if (b.target !== a.target) throw differs('target', x, a.target, b.target);
    if (b.model !== a.model) throw differs('the model', x, a.model, b.model);
    if (b.protocol !== a.protocol) throw differs('protocol', x, a.protocol, b.protocol);
    const na = a.segment?.count ?? 1;
    const nb = b.segment?.count ?? 1;
    if (na !== nb) throw differs('segment', x, segmentText(a.segment), segmentText(b.segment));
    const skew = Math.abs(Date.parse(b.startedAt) - Date.parse(a.startedAt));
    if (skew > MAX_START_SKEW_MS)
      throw new UsageError(
        `cannot merge results of different runs: ${first.source} started at ${a.startedAt}, ${x.source} at ` +
          `${b.startedAt} (give every agent the same --start-at)`,
      );
  }
}

/**
 * Refuses results that are not the agents of one run: a different target, model, protocol or segment count, a segment
 * given twice, or windows that did not start together.
 * @throws UsageError with one line naming the files that differ.
 */
export function assertSameRun(results: readonly SourcedIdentity[]): void {
  assertOneRun(results);
  const seen = new Map<number, string>();
  for (const x of results) {
    const index = x.result.segment?.index;
    if (index === undefined) continue;
    const other = seen.get(index);
    if (other !== undefined)
      throw new UsageError(
        `cannot merge: ${other} and ${x.source} are both segment ${segmentText(x.result.segment)}`,
      );
    seen.set(index, x.source);
  }
}

/**
 * Merges the agents' results of one run into one result.
 * @throws UsageError when they are not of one run (see `assertSameRun`).
 * @example const merged = mergeResults(files.map((f) => ({ source: f, result: JSON.parse(read(f)) })), ['p99<50ms']);
 */
export function mergeResults(
  sourced: readonly SourcedResult[],
  thresholds: (Threshold | string)[] = [],
): LoadResult {
  assertSameRun(sourced);
  const results = [...sourced].sort(
    (x, y) => (x.result.segment?.index ?? 0) - (y.result.segment?.index ?? 0),
  );
  const all = results.map((x) => x.result);
  const first = all[0] as LoadResult;
  const open = first.model === 'open';
  const h = emptyHistograms();
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let timeouts = 0;
  let bytesRead = 0;
  let bytesWritten = 0;
  const status = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  const byName: Record<string, RequestCounts> = {};
  for (const r of all) {
    addEncoded(h.latency, r.histograms.latency);
    addEncoded(h.firstByte, r.histograms.firstByte);
    if (r.histograms.response) addEncoded(h.response, r.histograms.response);
    addEncoded(h.connect, r.histograms.connect);
    if (r.histograms.tls) addEncoded(h.tls, r.histograms.tls);
    sent += r.requests.sent;
    completed += r.requests.completed;
    errors += r.requests.errors;
    timeouts += r.requests.timeouts;
    bytesRead += r.throughput.bytesPerS * r.durationS;
    bytesWritten += r.throughput.sentBytesPerS * r.durationS;
    for (const k of Object.keys(status) as (keyof typeof status)[]) status[k] += r.status[k];
    for (const [name, c] of Object.entries(r.requests.byName)) {
      const counts = byName[name] ?? { sent: 0, completed: 0 };
      byName[name] = counts;
      counts.sent += c.sent;
      counts.completed += c.completed;
    }
  }
  const durationS = Math.max(...all.map((r) => r.durationS));
  const seconds = durationS > 0 ? durationS : 1;
  const timeline = mergeTimelines(all);
  const limits = all.map((r) => r.requestLimit).filter((n): n is number => n !== null);
  const agents: AgentHealth[] = all.map((r) => ({ segment: r.segment ?? null, generator: r.generator }));
  const result: LoadResult = {
    schema: 'headroom.load/v1',
    target: first.target,
    model: first.model,
    durationS,
    protocol: first.protocol,
    maxConcurrentStreams: first.maxConcurrentStreams,
    connections: sum(all.map((r) => r.connections)),
    threads: sum(all.map((r) => r.threads)),
    pipelining: Math.max(...all.map((r) => r.pipelining)),
    requestLimit: limits.length > 0 ? sum(limits) : null,
    requests: { sent, completed, errors, timeouts, byName },
    errorsByKind: sumCounts(all.map((r) => r.errorsByKind)),
    status,
    throughput: {
      rps: round(completed / seconds),
      offeredRps: open ? round(sum(all.map((r) => r.throughput.offeredRps ?? 0)), 3) : null,
      sentRps: round(sent / seconds),
      bytesPerS: Math.round(bytesRead / seconds),
      sentBytesPerS: Math.round(bytesWritten / seconds),
    },
    ...latencyFields(h, open),
    generator: {
      cpuPct: round(sum(all.map((r) => r.generator.cpuPct))),
      threadUtilization: all.flatMap((r) => r.generator.threadUtilization),
      eventLoopDelayP99Ms: Math.max(...all.map((r) => r.generator.eventLoopDelayP99Ms)),
      sendLagP99Ms: open ? Math.max(...all.map((r) => r.generator.sendLagP99Ms ?? 0)) : null,
      bound: all.some((r) => r.generator.bound),
      warnings: [
        ...missingSegments(all),
        ...results.flatMap((x) => x.result.generator.warnings.map((w) => `${agentLabel(x)}: ${w}`)),
      ],
    },
    timeline: timeline.map((p) => p.point),
    thresholds: [],
    startedAt: new Date(Math.min(...all.map((r) => Date.parse(r.startedAt)))).toISOString(),
    agents,
    histograms: encodeHistograms(
      h,
      open,
      all.some((r) => r.histograms.tls !== null),
      timeline.map((p) => p.latency),
    ),
  };
  const grpc = all.filter((r) => r.grpcStatus !== undefined);
  if (grpc.length > 0) result.grpcStatus = sumCounts(grpc.map((r) => r.grpcStatus ?? {}));
  const streaming = all.filter((r) => r.grpcStreaming !== undefined);
  if (streaming.length > 0) {
    const counts: GrpcStreamCounters = { calls: 0, messages: 0, minPerCall: 0, maxPerCall: 0 };
    for (const r of streaming) {
      const s = r.grpcStreaming as NonNullable<LoadResult['grpcStreaming']>;
      addStreamCounts(counts, {
        calls: s.calls,
        messages: s.messages,
        minPerCall: s.messagesPerCall.min,
        maxPerCall: s.messagesPerCall.max,
      });
      if (r.histograms.firstMessage) addEncoded(h.firstMessage, r.histograms.firstMessage);
    }
    setGrpcStreaming(result, counts, h.firstMessage);
  }
  result.thresholds = evaluateThresholds(thresholds, result);
  return result;
}

/** Counts by key, summed. */
function sumCounts(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) for (const [k, n] of Object.entries(record)) out[k] = (out[k] ?? 0) + n;
  return out;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function agentLabel(x: SourcedResult): string {
  const s = x.result.segment;
  return s ? `segment ${s.index}/${s.count}` : x.source;
}

/** A warning when segments of the run are missing: the merged figures then cover only part of the load. */
function missingSegments(all: readonly LoadResult[]): string[] {
  const count = all[0]?.segment?.count ?? 1;
  if (count === 1) return [];
  const present = new Set(all.map((r) => r.segment?.index));
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !present.has(k));
  if (missing.length === 0) return [];
  return [
    `${count - missing.length} of ${count} segments merged (missing ${missing.join(', ')}): the figures cover only part of the load`,
  ];
}

interface MergedPoint {
  point: TimelinePoint;
  latency: string;
}

/**
 * The agents' timelines aligned by wall-clock second: a point ending `t` s after its agent's start falls in the
 * second that many seconds (rounded up) after the earliest start. Counts are summed, histograms merged.
 */
function mergeTimelines(all: readonly LoadResult[]): MergedPoint[] {
  const start = Math.min(...all.map((r) => Date.parse(r.startedAt)));
  const buckets = new Map<number, { t: number; seconds: number; errors: number; latency: Histogram }>();
  for (const r of all) {
    const offsetS = (Date.parse(r.startedAt) - start) / 1000;
    r.timeline.forEach((p, i) => {
      const t = offsetS + p.t;
      const key = Math.ceil(t - 0.001);
      const previousT = i > 0 ? (r.timeline[i - 1] as TimelinePoint).t : 0;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { t: 0, seconds: 0, errors: 0, latency: mergingHistogram() };
        buckets.set(key, bucket);
      }
      bucket.t = Math.max(bucket.t, t);
      bucket.seconds = Math.max(bucket.seconds, p.t - previousT);
      bucket.errors += p.errors;
      addEncoded(bucket.latency, r.histograms.timeline[i] as string);
    });
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, b]) => ({
      point: {
        t: round(b.t, 3),
        rps: b.seconds > 0 ? round(b.latency.totalCount / b.seconds) : 0,
        p50Ms: b.latency.getValueAtPercentile(50) / 1000,
        p99Ms: b.latency.getValueAtPercentile(99) / 1000,
        errors: b.errors,
      },
      latency: encodeHistogram(b.latency),
    }));
}
