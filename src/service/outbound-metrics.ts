/**
 * Outbound HTTP calls timed by host, with no code in the caller: Node's `fetch` (undici) publishes each request's
 * creation, response headers and error on `node:diagnostics_channel`; the service subscribes once and records
 * `headroom_outbound_request_duration_seconds{host,outcome}` (request created → response headers, or → error) and
 * `headroom_outbound_requests_in_flight{host}`. Every `fetch` counts, the ones sent with `outboundHeaders` too;
 * a connection that fails before its request is created is not seen.
 */
import diagnostics from 'node:diagnostics_channel';
import { Gauge, Histogram } from 'prom-client';
import { METRIC } from '../metric-names.js';
import { dependencyMetrics } from './dependency-metrics.js';

/** Hosts beyond this many share the label `other` (the label set stays bounded). */
export const MAX_OUTBOUND_HOSTS = 50;

/** Outbound latency buckets (seconds): 1 ms to 30 s. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface UndiciRequest {
  origin?: string | URL;
}

const started = new Map<UndiciRequest, { host: string; at: number }>();
const hosts = new Set<string>();

const durations = new Histogram({
  name: METRIC.outboundDuration,
  help: 'Outbound HTTP requests (fetch): time to the response headers or the error, seconds, by host and outcome.',
  labelNames: ['host', 'outcome'],
  buckets: BUCKETS,
  registers: [dependencyMetrics],
});

new Gauge({
  name: METRIC.outboundInFlight,
  help: 'Outbound HTTP requests (fetch) sent and not yet answered, by host.',
  labelNames: ['host'],
  registers: [dependencyMetrics],
  collect() {
    this.reset();
    const counts = new Map<string, number>();
    for (const { host } of started.values()) counts.set(host, (counts.get(host) ?? 0) + 1);
    for (const host of hosts) this.set({ host }, counts.get(host) ?? 0);
  },
});

let watching = false;

/** Starts timing every outbound `fetch` of this process (idempotent; `createService` calls it). */
export function watchOutboundRequests(): void {
  if (watching) return;
  watching = true;
  diagnostics.subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest };
    started.set(request, { host: hostLabel(request.origin), at: performance.now() });
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    finish(request, `${Math.floor(response.statusCode / 100)}xx`);
  });
  diagnostics.subscribe('undici:request:error', (message) => {
    finish((message as { request: UndiciRequest }).request, 'error');
  });
}

function finish(request: UndiciRequest, outcome: string): void {
  const call = started.get(request);
  if (!call) return;
  started.delete(request);
  durations.observe({ host: call.host, outcome }, (performance.now() - call.at) / 1000);
}

/** `api.example.com:8443` from the request's origin; `other` once the label set is full. */
function hostLabel(origin: string | URL | undefined): string {
  let host = 'unknown';
  try {
    host = new URL(String(origin)).host;
  } catch {
    // keep `unknown`
  }
  if (hosts.has(host)) return host;
  if (hosts.size >= MAX_OUTBOUND_HOSTS) return 'other';
  hosts.add(host);
  return host;
}
