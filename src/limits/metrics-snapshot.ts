/**
 * One scrape of the target's Prometheus `/metrics`, reduced to the few series the bottleneck analysis reads.
 * Names match with or without a registry prefix (`myapp_process_cpu_seconds_total` works too).
 */
import { METRIC } from '../metric-names.js';
import { type PrometheusSample, parsePrometheusSamples } from './prometheus-text.js';

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
  /** `http_requests_shed_total` by its `reason` label (`concurrency`, `event_loop_delay`, `inflight`…; `''` unlabelled). */
  shedByReason: Record<string, number>;
  /** `http_concurrency_limit`: the in-flight limit the overload guard applies now; null when absent or +Inf (none). */
  concurrencyLimit: number | null;
  /** `http_request_duration_seconds` sum and count over every route and status. */
  requestSeconds: number | null;
  requests: number | null;
  /** The same, status 503 only: the overload guard's refusals (with their tarpit delay) are among them. */
  unavailableSeconds: number | null;
  unavailable: number | null;
  /** The instrumented connection pools (`headroom_pool_*`), by their `pool` label; empty when none. */
  pools: Record<string, PoolSnapshot>;
  /** Outbound fetches (`headroom_outbound_*`), by host; empty when none. */
  outbound: Record<string, OutboundSnapshot>;
}

/** Outbound calls to one host: cumulative time and count (every outcome), and those in flight now. */
export interface OutboundSnapshot {
  seconds: number;
  calls: number;
  inFlight: number;
}

/** One connection pool at one instant; counters are cumulative since the target started. */
export interface PoolSnapshot {
  max: number | null;
  inUse: number;
  waiting: number;
  /** `headroom_pool_wait_seconds` sum and count. */
  waitSeconds: number;
  acquired: number;
  /** `headroom_pool_held_seconds` sum and count (null when the pool does not export it). */
  heldSeconds: number | null;
  released: number | null;
}

/** Parses Prometheus text into a snapshot taken at `atMs`. */
export function parseMetricsSnapshot(text: string, atMs: number): MetricsSnapshot {
  const samples = parsePrometheusSamples(text);
  // One series name per signal (the first that matches, prefixed or not); every sample of it, whatever its labels.
  const matching = (name: string) => {
    const found = samples.find((sample) => sample.name === name || sample.name.endsWith(`_${name}`));
    return found ? samples.filter((sample) => sample.name === found.name) : [];
  };
  return {
    atMs,
    cpuSeconds: sumValues(matching(METRIC.processCpu)),
    eventLoopLagP99Seconds: sumValues(matching(METRIC.eventLoopLagP99)),
    // prom-client labels it by kind (minor, major, incremental, weakcb): the GC time is the sum of every `_sum`.
    gcSeconds: sumValues(matching(METRIC.gcDurationSum)),
    heapUsedBytes: sumValues(matching(METRIC.heapUsed)),
    inFlight: sumValues(matching(METRIC.httpInFlight)),
    shedTotal: sumValues(matching(METRIC.httpShed)),
    shedByReason: byLabel(matching(METRIC.httpShed), 'reason'),
    concurrencyLimit: sumValues(matching(METRIC.httpConcurrencyLimit)),
    requestSeconds: sumValues(matching(`${METRIC.httpDuration}_sum`)),
    requests: sumValues(matching(`${METRIC.httpDuration}_count`)),
    unavailableSeconds: sumValues(unavailable(matching(`${METRIC.httpDuration}_sum`))),
    unavailable: sumValues(unavailable(matching(`${METRIC.httpDuration}_count`))),
    pools: readPools(matching),
    outbound: readOutbound(matching),
  };
}

/** The samples of 503 responses (`status="503"`). */
function unavailable(samples: readonly PrometheusSample[]): PrometheusSample[] {
  return samples.filter((sample) => sample.labels.status === '503');
}

/** Sums `samples` by the value of `label` (`''` when a sample has none). */
function byLabel(samples: readonly PrometheusSample[], label: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const sample of samples) {
    const key = sample.labels[label] ?? '';
    sums[key] = (sums[key] ?? 0) + sample.value;
  }
  return sums;
}

/** Every host the target called, summed over outcomes. */
function readOutbound(matching: (name: string) => PrometheusSample[]): Record<string, OutboundSnapshot> {
  const hosts: Record<string, OutboundSnapshot> = {};
  const add = (name: string, field: keyof OutboundSnapshot) => {
    for (const sample of matching(name)) {
      const host = sample.labels.host ?? '';
      hosts[host] ??= { seconds: 0, calls: 0, inFlight: 0 };
      hosts[host][field] += sample.value;
    }
  };
  add(`${METRIC.outboundDuration}_sum`, 'seconds');
  add(`${METRIC.outboundDuration}_count`, 'calls');
  add(METRIC.outboundInFlight, 'inFlight');
  return hosts;
}

/** Every pool that exports its in-use gauge, with its other series. */
function readPools(matching: (name: string) => PrometheusSample[]): Record<string, PoolSnapshot> {
  const byPool = (name: string) => {
    const values = new Map<string, number>();
    for (const sample of matching(name)) {
      const pool = sample.labels.pool ?? '';
      values.set(pool, (values.get(pool) ?? 0) + sample.value);
    }
    return values;
  };
  const inUse = byPool(METRIC.poolInUse);
  const max = byPool(METRIC.poolMax);
  const waiting = byPool(METRIC.poolWaiting);
  const waitSum = byPool(`${METRIC.poolWait}_sum`);
  const waitCount = byPool(`${METRIC.poolWait}_count`);
  const heldSum = byPool(`${METRIC.poolHeld}_sum`);
  const heldCount = byPool(`${METRIC.poolHeld}_count`);
  const pools: Record<string, PoolSnapshot> = {};
  for (const [name, used] of inUse) {
    const size = max.get(name);
    pools[name] = {
      max: size !== undefined && Number.isFinite(size) ? size : null,
      inUse: used,
      waiting: waiting.get(name) ?? 0,
      waitSeconds: waitSum.get(name) ?? 0,
      acquired: waitCount.get(name) ?? 0,
      heldSeconds: heldSum.get(name) ?? null,
      released: heldCount.get(name) ?? null,
    };
  }
  return pools;
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

function sumValues(samples: readonly PrometheusSample[]): number | null {
  if (samples.length === 0) return null;
  let total = 0;
  for (const sample of samples) total += sample.value;
  return Number.isFinite(total) ? total : null;
}
