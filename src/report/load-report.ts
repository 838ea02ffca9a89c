/** The HTML page of a `headroom load` result: key figures, a throughput/latency timeline, the percentile curve. */
import type { LoadResult } from '../load/types.js';
import { formatDuration } from '../units/duration.js';
import { type ChartSpec, renderHtmlPage, type TableSpec } from './html-page.js';

const ms = (v: number) => formatDuration(v);

/** The run's part in the subtitle: this agent's segment, or the agents a merged result came from. */
function runPart(r: LoadResult): string {
  if (r.segment) return `, segment ${r.segment.index}/${r.segment.count}`;
  if (r.agents) return `, merged from ${r.agents.length} agents`;
  return '';
}

/** Server-streaming gRPC: messages per call and the time to the first (the latency table is to the end). */
function streamingTable(s: NonNullable<LoadResult['grpcStreaming']>): TableSpec {
  const first = s.firstMessageMs;
  return {
    title: 'gRPC streaming (latency is to the end of the call)',
    rows: [
      ['messages', String(s.messages)],
      ['calls', String(s.calls)],
      [
        'per call: mean / min / max',
        `${s.messagesPerCall.mean} / ${s.messagesPerCall.min} / ${s.messagesPerCall.max}`,
      ],
      ['first message p50 / p99', first ? `${ms(first.p50)} / ${ms(first.p99)}` : '—'],
      ['first message max', first ? ms(first.max) : '—'],
    ],
  };
}

/** Renders a load result as one self-contained HTML file. */
export function renderLoadReport(r: LoadResult): string {
  const timeline: ChartSpec = {
    id: 'timeline',
    title: 'Throughput and latency per second',
    xLabel: 'seconds',
    yLabel: 'req/s',
    y2Label: 'latency ms',
    series: [
      { label: 'req/s', scale: 'y' },
      { label: 'p50 ms', scale: 'y2' },
      { label: 'p99 ms', scale: 'y2' },
    ],
    data: [
      r.timeline.map((p) => p.t),
      r.timeline.map((p) => p.rps),
      r.timeline.map((p) => p.p50Ms),
      r.timeline.map((p) => p.p99Ms),
    ],
  };
  const points = r.latencyDistribution.filter((p) => p.p < 100);
  const percentiles: ChartSpec = {
    id: 'percentiles',
    title: `Latency by percentile${r.model === 'open' ? ' (from intended send time)' : ''}`,
    xLabel: 'percentile',
    yLabel: 'latency ms',
    xFormat: 'nines',
    series: [{ label: 'latency ms' }],
    data: [points.map((p) => -Math.log10(1 - p.p / 100)), points.map((p) => p.ms)],
  };
  const l = r.latencyMs;
  return renderHtmlPage({
    title: `headroom load — ${r.target}`,
    subtitle: `${r.model} model, ${r.protocol === 'h2' ? 'HTTP/2, ' : ''}${r.connections} connections, ${r.threads} threads, ${r.durationS}s${runPart(r)}`,
    warnings: r.generator.warnings,
    tables: [
      {
        title: 'Throughput',
        rows: [
          ['requests/s', r.throughput.rps.toFixed(1)],
          ['offered req/s', r.throughput.offeredRps === null ? '—' : String(r.throughput.offeredRps)],
          ['completed', String(r.requests.completed)],
          ['errors', String(r.requests.errors)],
          [
            '2xx / 3xx / 4xx / 5xx',
            `${r.status['2xx']} / ${r.status['3xx']} / ${r.status['4xx']} / ${r.status['5xx']}`,
          ],
          ...Object.entries(r.grpcStatus ?? {}).map(([code, n]): [string, string] => [
            `gRPC ${code}`,
            String(n),
          ]),
          ...(r.maxConcurrentStreams === null || r.maxConcurrentStreams === undefined
            ? []
            : [['server stream cap', String(r.maxConcurrentStreams)] as [string, string]]),
        ],
      },
      {
        title: 'Latency',
        rows: [
          ['p50', ms(l.p50)],
          ['p90', ms(l.p90)],
          ['p99', ms(l.p99)],
          ['p99.9', ms(l.p999)],
          ['max', ms(l.max)],
        ],
      },
      {
        title: 'Phases (p50 / p99)',
        rows: (
          [
            ['connect', r.phasesMs.connect],
            ['TLS handshake', r.phasesMs.tls],
            ['first byte', r.phasesMs.firstByte],
            ['response', r.phasesMs.response],
          ] as const
        )
          .filter(([, s]) => s !== null)
          .map(([name, s]) => [name, `${ms(s?.p50 ?? 0)} / ${ms(s?.p99 ?? 0)}`]),
      },
      ...(r.grpcStreaming ? [streamingTable(r.grpcStreaming)] : []),
      {
        title: 'Errors by kind',
        rows:
          Object.keys(r.errorsByKind).length > 0
            ? Object.entries(r.errorsByKind).map(([kind, n]) => [kind, String(n)])
            : [['none', '—']],
      },
      {
        title: 'Generator',
        rows: [
          ['CPU', `${r.generator.cpuPct}%`],
          ['event-loop delay p99', ms(r.generator.eventLoopDelayP99Ms)],
          ...(r.generator.sendLagP99Ms === null
            ? []
            : [['send lag p99', ms(r.generator.sendLagP99Ms)] as [string, string]]),
          ['bound', r.generator.bound ? 'yes' : 'no'],
        ],
      },
    ],
    charts: [timeline, percentiles],
    data: r,
  });
}
