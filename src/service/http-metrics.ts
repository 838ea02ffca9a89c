/**
 * RED metrics per route template, on the service's prom-client Registry: `http_requests_total`,
 * `http_request_duration_seconds`, `http_requests_in_flight`, `http_requests_shed_total`. Requests and durations
 * are kept in one series per (route, status, method), found through nested Maps keyed by the strings and numbers the
 * request already has, and exported at scrape time in prom-client's own shape (so `/metrics`, the cluster
 * aggregation and `getMetricsAsJSON` see ordinary counter and histogram values): recording a request allocates
 * nothing and hashes no label set (prom-client's `labels()` children still hash and validate on every call).
 */

import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import { METRIC } from '../metric-names.js';

/** The route label for requests that matched no route: never the raw path (unbounded cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Duration buckets (seconds): 1 ms to 10 s, dense where web latency SLOs live. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Why a request was shed (the `reason` label of `http_requests_shed_total`). */
export type ShedReason = 'inflight' | 'concurrency' | 'event_loop_delay';

/** The labels of one series. */
interface SeriesLabels {
  method: string;
  route: string;
  status: string;
}

/** One (method, route, status): requests answered, their total duration and per-bucket counts (not cumulative). */
class Series {
  count = 0;
  sum = 0;
  readonly buckets = new Float64Array(DURATION_BUCKETS.length);
  constructor(readonly labels: SeriesLabels) {}

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= (DURATION_BUCKETS[i] as number)) {
        (this.buckets[i] as number)++;
        return;
      }
    }
  }
}

/** One exported sample, as prom-client's own metrics give them from `get()`. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A counter or histogram read from the series at scrape time (prom-client's Registry duck-types `get()`). */
class SeriesMetric {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly series: () => Iterable<Series>,
    private readonly clear: () => void,
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const s of this.series()) {
      if (this.type === 'counter') {
        values.push({ labels: { ...s.labels }, value: s.count });
        continue;
      }
      let cumulative = 0;
      const bucket = `${this.name}_bucket`;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i] as number;
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** `registry.resetMetrics()`: forgets every series. */
  reset(): void {
    this.clear();
  }
}

/** The HTTP metrics of one service; `inflight` is read by the gauge at scrape time (no per-request cost). */
export class HttpMetrics {
  /** Requests admitted and not yet answered. */
  inflight = 0;
  /** The in-flight limit now (adaptive or `MAX_INFLIGHT`), read by the gauge at scrape time; Infinity = none. */
  limit: () => number = () => Number.POSITIVE_INFINITY;
  readonly #shed: Counter<'reason'>;
  /** route → status → method → series. */
  #series = new Map<string, Map<number, Map<string, Series>>>();

  constructor(registry: Registry) {
    const metrics = this;
    const all = () => this.#all();
    const clear = () => {
      this.#series = new Map();
    };
    for (const metric of [
      new SeriesMetric(
        METRIC.httpRequests,
        'HTTP requests answered, by method, route template and status.',
        'counter',
        all,
        clear,
      ),
      new SeriesMetric(
        METRIC.httpDuration,
        'HTTP request duration in seconds, by method, route template and status.',
        'histogram',
        all,
        clear,
      ),
    ]) {
      // A metric to the Registry is anything with a name and get(); its types name only prom-client's classes.
      registry.registerMetric(metric as unknown as Metric);
    }
    new Gauge({
      name: METRIC.httpInFlight,
      help: 'HTTP requests admitted and not yet answered.',
      registers: [registry],
      collect() {
        this.set(metrics.inflight);
      },
    });
    new Gauge({
      name: METRIC.httpConcurrencyLimit,
      help: 'HTTP requests the overload guard admits at once now (adaptive limit, capped by MAX_INFLIGHT); +Inf = none.',
      registers: [registry],
      collect() {
        this.set(metrics.limit());
      },
    });
    this.#shed = new Counter({
      name: METRIC.httpShed,
      help: 'HTTP requests refused with 503 because the service was overloaded, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  /** Records one answered request. `route` is the template (`/payables/:id`) or {@link UNMATCHED_ROUTE}. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const series = this.#series.get(route)?.get(status)?.get(method) ?? this.#add(method, route, status);
    series.observe(seconds);
  }

  /** Creates the series of a (method, route, status) seen for the first time. */
  #add(method: string, route: string, status: number): Series {
    let byStatus = this.#series.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.#series.set(route, byStatus);
    }
    let byMethod = byStatus.get(status);
    if (byMethod === undefined) {
      byMethod = new Map();
      byStatus.set(status, byMethod);
    }
    const series = new Series({ method, route, status: String(status) });
    byMethod.set(method, series);
    return series;
  }

  /** Every series, for export. */
  *#all(): Iterable<Series> {
    for (const byStatus of this.#series.values()) {
      for (const byMethod of byStatus.values()) yield* byMethod.values();
    }
  }

  /** Counts one request refused for `reason`. */
  shed(reason: ShedReason): void {
    this.#shed.inc({ reason });
  }
}
