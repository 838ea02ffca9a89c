/** Merges the threads' reports and per-second snapshots into the typed `headroom.load/v1` result. */
import {
  addEncoded,
  distribution,
  encodeHistogram,
  type Histogram,
  mergingHistogram,
  summarize,
} from './histogram.js';
import { assessGenerator } from './self-check.js';
import type { GrpcStreamCounters, ShardReport } from './shard-stats.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';
import type { LoadResult, RequestCounts, Segment, TimelinePoint } from './types.js';

/** The run's shape, as the coordinator planned it. */
export interface RunShape {
  target: string;
  /** A gRPC target: the result gets `grpcStatus`. */
  grpc: boolean;
  /** A server-streaming gRPC method: the result gets `grpcStreaming`. */
  grpcStreaming: boolean;
  rate: number | null;
  connections: number;
  threads: number;
  pipelining: number;
  protocol: LoadResult['protocol'];
  maxConcurrentStreams: number | null;
  requestLimit: number | null;
  names: readonly string[];
  durationS: number;
  cpuPct: number;
  /** When the measured window started (epoch ms, wall clock). */
  startedAtMs: number;
  segment: Segment | null;
  /** The encoded latency histogram of each timeline point, in the timeline's order. */
  timelineHistograms: string[];
  /** Warnings of the coordinator (a late start), added to the self-check's. */
  warnings: string[];
}

/** The merged histograms a result is computed from. */
export interface MergedHistograms {
  latency: Histogram;
  firstByte: Histogram;
  response: Histogram;
  connect: Histogram;
  tls: Histogram;
  /** Server-streaming gRPC: time to first message (empty otherwise). */
  firstMessage: Histogram;
}

/** Empty merging histograms for every figure. */
export function emptyHistograms(): MergedHistograms {
  return {
    latency: mergingHistogram(),
    firstByte: mergingHistogram(),
    response: mergingHistogram(),
    connect: mergingHistogram(),
    tls: mergingHistogram(),
    firstMessage: mergingHistogram(),
  };
}

/** The latency figures of a result (summary, distribution, phases) from its merged histograms. */
export function latencyFields(
  h: MergedHistograms,
  open: boolean,
): Pick<LoadResult, 'latencyMs' | 'latencyDistribution' | 'phasesMs'> {
  const latencyMs = summarize(h.latency);
  return {
    latencyMs,
    latencyDistribution: distribution(h.latency),
    phasesMs: {
      connect: h.connect.totalCount > 0 ? summarize(h.connect) : null,
      tls: h.tls.totalCount > 0 ? summarize(h.tls) : null,
      firstByte: summarize(h.firstByte),
      // Closed model: every request is sent when intended, so the full response time is the latency.
      response: open ? summarize(h.response) : latencyMs,
    },
  };
}

/** The encoded form of merged histograms (`histograms` of the result). */
export function encodeHistograms(
  h: MergedHistograms,
  open: boolean,
  secure: boolean,
  timeline: string[],
): LoadResult['histograms'] {
  return {
    latency: encodeHistogram(h.latency),
    firstByte: encodeHistogram(h.firstByte),
    response: open ? encodeHistogram(h.response) : null,
    connect: encodeHistogram(h.connect),
    tls: secure ? encodeHistogram(h.tls) : null,
    timeline,
  };
}

/** Adds `counts` to a total: calls and messages summed, the fewest and most per call over both. */
export function addStreamCounts(into: GrpcStreamCounters, counts: GrpcStreamCounters): void {
  if (counts.calls === 0) return;
  into.minPerCall = into.calls === 0 ? counts.minPerCall : Math.min(into.minPerCall, counts.minPerCall);
  into.maxPerCall = Math.max(into.maxPerCall, counts.maxPerCall);
  into.calls += counts.calls;
  into.messages += counts.messages;
}

/** Server-streaming gRPC: sets `grpcStreaming` and its first-message histogram on `result`. */
export function setGrpcStreaming(
  result: LoadResult,
  counts: GrpcStreamCounters,
  firstMessage: Histogram,
): void {
  result.grpcStreaming = {
    calls: counts.calls,
    messages: counts.messages,
    messagesPerCall: {
      mean: counts.calls > 0 ? round(counts.messages / counts.calls, 3) : 0,
      min: counts.minPerCall,
      max: counts.maxPerCall,
    },
    firstMessageMs: firstMessage.totalCount > 0 ? summarize(firstMessage) : null,
  };
  result.histograms.firstMessage = encodeHistogram(firstMessage);
}

function round(n: number, digits = 1): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

/** Builds the result from every thread's report, the merged timeline and the thresholds to check. */
export function buildResult(
  shape: RunShape,
  reports: ShardReport[],
  timeline: TimelinePoint[],
  thresholds: Threshold[],
): LoadResult {
  const h = emptyHistograms();
  const { latency, firstByte, response, connect, tls, firstMessage } = h;
  const sendLag = mergingHistogram();
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let timeouts = 0;
  let bytesRead = 0;
  let bytesWritten = 0;
  const status = [0, 0, 0, 0];
  const errorsByKind: Record<string, number> = {};
  const grpcStatus: Record<string, number> = {};
  const stream: GrpcStreamCounters = { calls: 0, messages: 0, minPerCall: 0, maxPerCall: 0 };
  const byName: Record<string, RequestCounts> = {};
  for (const r of reports) {
    const c = r.counters;
    addEncoded(latency, r.latency);
    addEncoded(firstByte, r.firstByte);
    if (r.response) addEncoded(response, r.response);
    addEncoded(connect, r.connect);
    if (r.tls) addEncoded(tls, r.tls);
    if (r.sendLag) addEncoded(sendLag, r.sendLag);
    if (r.firstMessage) addEncoded(firstMessage, r.firstMessage);
    if (c.grpcStream) addStreamCounts(stream, c.grpcStream);
    sent += c.sent;
    completed += c.completed;
    errors += c.errors;
    timeouts += c.timeouts;
    bytesRead += c.bytesRead;
    bytesWritten += c.bytesWritten;
    c.status.forEach((n, i) => {
      status[i] = (status[i] as number) + n;
    });
    for (const [kind, n] of Object.entries(c.errorsByKind))
      errorsByKind[kind] = (errorsByKind[kind] ?? 0) + n;
    for (const [code, n] of Object.entries(c.grpcStatus)) grpcStatus[code] = (grpcStatus[code] ?? 0) + n;
    shape.names.forEach((name, i) => {
      const counts = byName[name] ?? { sent: 0, completed: 0 };
      byName[name] = counts;
      counts.sent += c.sentByName[i] ?? 0;
      counts.completed += c.completedByName[i] ?? 0;
    });
  }
  const seconds = shape.durationS > 0 ? shape.durationS : 1;
  const open = shape.rate !== null;
  const secure = reports.some((r) => r.tls !== null);
  const result: LoadResult = {
    schema: 'headroom.load/v1',
    target: shape.target,
    model: open ? 'open' : 'closed',
    durationS: round(shape.durationS, 3),
    connections: shape.connections,
    threads: shape.threads,
    pipelining: shape.pipelining,
    protocol: shape.protocol,
    maxConcurrentStreams: shape.maxConcurrentStreams,
    requestLimit: shape.requestLimit,
    requests: { sent, completed, errors, timeouts, byName },
    errorsByKind,
    status: { '2xx': status[0] ?? 0, '3xx': status[1] ?? 0, '4xx': status[2] ?? 0, '5xx': status[3] ?? 0 },
    throughput: {
      rps: round(completed / seconds),
      offeredRps: shape.rate,
      sentRps: round(sent / seconds),
      bytesPerS: Math.round(bytesRead / seconds),
      sentBytesPerS: Math.round(bytesWritten / seconds),
    },
    ...latencyFields(h, open),
    generator: assessGenerator(
      shape.cpuPct,
      reports.map((r) => r.utilization),
      Math.max(0, ...reports.map((r) => r.eventLoopDelayP99Ms)),
      open ? (sendLag.totalCount > 0 ? sendLag.getValueAtPercentile(99) / 1000 : 0) : null,
    ),
    timeline,
    thresholds: [],
    startedAt: new Date(shape.startedAtMs).toISOString(),
    ...(shape.segment ? { segment: shape.segment } : {}),
    histograms: encodeHistograms(h, open, secure, shape.timelineHistograms),
  };
  result.generator.warnings.push(...shape.warnings);
  if (shape.grpc) result.grpcStatus = grpcStatus;
  if (shape.grpcStreaming) setGrpcStreaming(result, stream, firstMessage);
  if (completed === 0) result.generator.warnings.push('no response completed: there is no latency to report');
  result.thresholds = evaluateThresholds(thresholds, result);
  return result;
}
