/**
 * One scrape of the target's Prometheus `/metrics`, reduced to the few series the bottleneck analysis reads.
 * Names match with or without a registry prefix (`myapp_process_cpu_seconds_total` works too).
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

/** The target's resource counters at one instant; null when the target does not export the series. */
export interface MetricsSnapshot {
  /** `performance.now()` when the scrape returned. */
  atMs: number;
  cpuSeconds: number | null;
  eventLoopLagP99Seconds: number | null;
  gcSeconds: number | null;
  heapUsedBytes: number | null;
  inFlight: number | null;
  shedTotal: number | null;
}

/** Parses Prometheus text into a snapshot taken at `atMs`. */
export function parseMetricsSnapshot(text: string, atMs: number): MetricsSnapshot {
  const families = parsePrometheusTextFormat(text);
  const find = (name: string) =>
    families.find((family) => family.name === name || family.name.endsWith(`_${name}`));
  return {
    atMs,
    cpuSeconds: sumValues(find('process_cpu_seconds_total')),
    eventLoopLagP99Seconds: sumValues(find('nodejs_eventloop_lag_p99_seconds')),
    gcSeconds: sumHistogram(find('nodejs_gc_duration_seconds')),
    heapUsedBytes: sumValues(find('nodejs_heap_size_used_bytes')),
    inFlight: sumValues(find('http_requests_in_flight')),
    shedTotal: sumValues(find('http_requests_shed_total')),
  };
}

/** Fetches and parses `<admin>/metrics`; throws on network errors or a non-2xx status. */
export async function scrapeMetrics(admin: string, timeoutMs = 2000): Promise<MetricsSnapshot> {
  const response = await fetch(new URL('metrics', withSlash(admin)), {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`GET ${admin}/metrics → ${response.status}`);
  return parseMetricsSnapshot(await response.text(), performance.now());
}

/** `http://h:9090` and `http://h:9090/admin` both resolve relative paths under them. */
export function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

function sumValues(family: PrometheusFamily | undefined): number | null {
  if (!family) return null;
  let total = 0;
  for (const sample of family.metrics) total += Number(sample.value ?? 0);
  return Number.isFinite(total) ? total : null;
}

function sumHistogram(family: PrometheusFamily | undefined): number | null {
  if (!family) return null;
  let total = 0;
  for (const sample of family.metrics) total += Number(sample.sum ?? sample.value ?? 0);
  return Number.isFinite(total) ? total : null;
}
