/** The wrk-style terminal summary of a result: a renderer, it only formats what the engine measured. */
import { formatDuration } from '../../units/duration.js';
import type { LatencySummary, LoadResult } from '../types.js';

const fmt = (ms: number) => formatDuration(ms).padStart(9);
const count = (n: number) => n.toLocaleString('en-US');

function bytes(perS: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = perS;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(2)}${units[u]}`;
}

function phase(name: string, s: LatencySummary | null): string | null {
  if (!s) return null;
  return `  ${name.padEnd(11)} p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}`;
}

/** The merged agents, by segment: `segments 0, 1, 2, 3 of 4`. */
function agentList(r: LoadResult): string {
  const agents = r.agents ?? [];
  const count = agents[0]?.segment?.count;
  if (count === undefined) return 'no segments';
  return `segments ${agents.map((a) => a.segment?.index).join(', ')} of ${count}`;
}

/** How requests share a connection: HTTP/2 streams (and the server's cap), or HTTP/1.1 pipelining. */
function concurrency(r: LoadResult): string {
  if (r.protocol !== 'h2') return r.pipelining > 1 ? `, pipelining ${r.pipelining}` : '';
  const cap = r.maxConcurrentStreams;
  const streams = cap === null ? r.pipelining : Math.min(r.pipelining, cap);
  const capped = cap !== null && cap < r.pipelining ? ` (-p ${r.pipelining} capped by the server)` : '';
  return `, HTTP/2, ${streams} stream${streams === 1 ? '' : 's'} per connection${capped}`;
}

/** Server-streaming gRPC: the messages received and the time to the first (the latency above is to the end). */
function streamingLines(s: NonNullable<LoadResult['grpcStreaming']>, open: boolean): string[] {
  const per = s.messagesPerCall;
  const first = s.firstMessageMs;
  return [
    `  Streaming ${count(s.messages)} messages in ${count(s.calls)} calls, ${per.mean} per call (min ${count(per.min)}, max ${count(per.max)}); latency is to the call's end`,
    first
      ? `    first message${open ? ' (from intended send)' : ''} p50 ${fmt(first.p50)}  p99 ${fmt(first.p99)}  max ${fmt(first.max)}`
      : '    first message: no call received one',
  ];
}

/** Formats a result as the lines a terminal shows after a run. */
export function renderSummary(r: LoadResult): string {
  const l = r.latencyMs;
  const model =
    r.model === 'open' ? `open model, ${count(r.throughput.offeredRps ?? 0)} req/s offered` : 'closed model';
  const part = r.segment ? `, segment ${r.segment.index}/${r.segment.count}` : '';
  const lines = [
    `Running ${r.durationS}s test @ ${r.target} (${model}${part})`,
    r.agents ? `  merged from ${r.agents.length} agents (${agentList(r)})` : null,
    `  ${r.threads} threads and ${r.connections} connections${concurrency(r)}`,
    r.model === 'open' ? '  Latency (from intended send time)' : '  Latency',
    `    min ${fmt(l.min)}  mean ${fmt(l.mean)}  max ${fmt(l.max)}`,
    '  Latency Distribution',
    ...(
      [
        ['50%', l.p50],
        ['75%', l.p75],
        ['90%', l.p90],
        ['99%', l.p99],
        ['99.9%', l.p999],
      ] as const
    ).map(([p, v]) => `    ${p.padStart(6)} ${fmt(v)}`),
    '  Phases',
    phase('connect', r.phasesMs.connect),
    phase('tls', r.phasesMs.tls),
    phase('first byte', r.phasesMs.firstByte),
    phase('response', r.phasesMs.response),
    `  ${count(r.requests.completed)} responses in ${r.durationS}s, ${bytes(r.throughput.bytesPerS * r.durationS)} read`,
    `  Status 2xx ${count(r.status['2xx'])}  3xx ${count(r.status['3xx'])}  4xx ${count(r.status['4xx'])}  5xx ${count(r.status['5xx'])}`,
  ].filter((line): line is string => line !== null);
  if (r.grpcStatus) {
    const codes = Object.entries(r.grpcStatus).map(([code, n]) => `${code} ${count(n)}`);
    lines.push(`  gRPC ${codes.join('  ')}`);
  }
  if (r.grpcStreaming) lines.push(...streamingLines(r.grpcStreaming, r.model === 'open'));
  const kinds = Object.entries(r.errorsByKind);
  if (kinds.length > 0) lines.push(`  Errors: ${kinds.map(([k, n]) => `${k} ${count(n)}`).join(', ')}`);
  if (r.model === 'open') {
    lines.push(
      `  Offered ${count(r.throughput.offeredRps ?? 0)} req/s, sent ${count(r.throughput.sentRps)} req/s, send lag p99 ${formatDuration(r.generator.sendLagP99Ms ?? 0)}`,
    );
  }
  lines.push(`Requests/sec: ${r.throughput.rps.toFixed(2).padStart(10)}`);
  lines.push(`Transfer/sec: ${bytes(r.throughput.bytesPerS).padStart(10)}`);
  lines.push(
    `Generator: CPU ${r.generator.cpuPct}%, event-loop delay p99 ${formatDuration(r.generator.eventLoopDelayP99Ms)}`,
  );
  for (const w of r.generator.warnings) lines.push(`WARNING: ${w}`);
  for (const t of r.thresholds)
    lines.push(`${t.ok ? '✓' : '✗'} threshold ${t.expr} (actual ${+t.actual.toFixed(3)})`);
  return `${lines.join('\n')}\n`;
}
