/** Merges the threads' reports and per-second snapshots into the typed `headroom.load/v1` result. */
import { addEncoded, distribution, mergingHistogram, summarize } from './histogram.js';
import { assessGenerator } from './self-check.js';
import type { ShardReport } from './shard-stats.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';
import type { LoadResult, RequestCounts, TimelinePoint } from './types.js';

/** The run's shape, as the coordinator planned it. */
export interface RunShape {
  target: string;
  /** A gRPC target: the result gets `grpcStatus`. */
  grpc: boolean;
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
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Builds the result from every thread's report, the merged timeline and the thresholds to check. */
export function buildResult(
  shape: RunShape,
  reports: ShardReport[],
  timeline: TimelinePoint[],
  thresholds: Threshold[],
): LoadResult {
  const latency = mergingHistogram();
  const firstByte = mergingHistogram();
  const response = mergingHistogram();
  const connect = mergingHistogram();
  const tls = mergingHistogram();
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
  const byName: Record<string, RequestCounts> = {};
  for (const r of reports) {
    const c = r.counters;
    addEncoded(latency, r.latency);
    addEncoded(firstByte, r.firstByte);
    if (r.response) addEncoded(response, r.response);
    addEncoded(connect, r.connect);
    if (r.tls) addEncoded(tls, r.tls);
    if (r.sendLag) addEncoded(sendLag, r.sendLag);
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
  const latencyMs = summarize(latency);
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
    latencyMs,
    latencyDistribution: distribution(latency),
    phasesMs: {
      connect: connect.totalCount > 0 ? summarize(connect) : null,
      tls: tls.totalCount > 0 ? summarize(tls) : null,
      firstByte: summarize(firstByte),
      // Closed model: every request is sent when intended, so the full response time is the latency.
      response: open ? summarize(response) : latencyMs,
    },
    generator: assessGenerator(
      shape.cpuPct,
      reports.map((r) => r.utilization),
      Math.max(0, ...reports.map((r) => r.eventLoopDelayP99Ms)),
      open ? (sendLag.totalCount > 0 ? sendLag.getValueAtPercentile(99) / 1000 : 0) : null,
    ),
    timeline,
    thresholds: [],
  };
  if (shape.grpc) result.grpcStatus = grpcStatus;
  if (completed === 0) result.generator.warnings.push('no response completed: there is no latency to report');
  result.thresholds = evaluateThresholds(thresholds, result);
  return result;
}
