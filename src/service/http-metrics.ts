/**
 * RED metrics per route template, on the service's prom-client Registry: `http_requests_total`,
 * `http_request_duration_seconds`, `http_requests_in_flight`, `http_requests_shed_total`. The label children of
 * each (route, status, method) are cached in nested Maps keyed by the strings and numbers the request already has,
 * so recording a request allocates nothing.
 */

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC } from '../metric-names.js';

/** The route label for requests that matched no route: never the raw path (unbounded cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Duration buckets (seconds): 1 ms to 10 s, dense where web latency SLOs live. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Why a request was shed (the `reason` label of `http_requests_shed_total`). */
export type ShedReason = 'inflight' | 'concurrency' | 'event_loop_delay';

/** The prom-client label children of one (method, route, status). */
interface Children {
  count: Counter.Internal;
  duration: Histogram.Internal<'method' | 'route' | 'status'>;
}

/** The HTTP metrics of one service; `inflight` is read by the gauge at scrape time (no per-request cost). */
export class HttpMetrics {
  /** Requests admitted and not yet answered. */
  inflight = 0;
  /** The in-flight limit now (adaptive or `MAX_INFLIGHT`), read by the gauge at scrape time; Infinity = none. */
  limit: () => number = () => Number.POSITIVE_INFINITY;
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route' | 'status'>;
  readonly #shed: Counter<'reason'>;
  /** route → status → method → label children. */
  readonly #children = new Map<string, Map<number, Map<string, Children>>>();

  constructor(registry: Registry) {
    const metrics = this;
    this.#requests = new Counter({
      name: METRIC.httpRequests,
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: METRIC.httpDuration,
      help: 'HTTP request duration in seconds, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
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
    const children = this.#children.get(route)?.get(status)?.get(method) ?? this.#add(method, route, status);
    children.count.inc();
    children.duration.observe(seconds);
  }

  /** Creates and caches the label children of a (method, route, status) seen for the first time. */
  #add(method: string, route: string, status: number): Children {
    let byStatus = this.#children.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.#children.set(route, byStatus);
    }
    let byMethod = byStatus.get(status);
    if (byMethod === undefined) {
      byMethod = new Map();
      byStatus.set(status, byMethod);
    }
    const labels = { method, route, status: String(status) };
    const children = { count: this.#requests.labels(labels), duration: this.#duration.labels(labels) };
    byMethod.set(method, children);
    return children;
  }

  /** Counts one request refused for `reason`. */
  shed(reason: ShedReason): void {
    this.#shed.inc({ reason });
  }
}
