/**
 * Watches the target during one step: scrapes `/metrics` before the load starts and every `intervalMs` while it
 * runs, then reduces the snapshots to per-step signals (CPU cores, GC share, worst event-loop lag, heap and
 * in-flight trends). prom-client resets its event-loop histogram on every scrape, so each scrape's p99 covers
 * the interval since the previous one.
 */
import { type MetricsSnapshot, scrapeMetrics } from './metrics-snapshot.js';
import type { TargetSignals } from './types.js';

/** A running sampler; `stop()` ends it and returns the step's signals (null if fewer than two scrapes worked). */
export interface TargetSampler {
  stop(): Promise<TargetSignals | null>;
}

/** Takes the baseline scrape, then samples in the background until `stop()`. */
export async function startTargetSampler(admin: string, intervalMs = 500): Promise<TargetSampler> {
  const snapshots: MetricsSnapshot[] = [];
  const scrape = async () => {
    try {
      snapshots.push(await scrapeMetrics(admin));
    } catch {
      // A missed scrape only thins the evidence; the step itself is unaffected.
    }
  };
  await scrape();
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(scrape);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await scrape();
      return summarise(snapshots);
    },
  };
}

/** Reduces a step's snapshots (first = baseline) to its signals. */
export function summarise(snapshots: readonly MetricsSnapshot[]): TargetSignals | null {
  const first = snapshots[0];
  const last = snapshots.at(-1);
  if (!first || !last || snapshots.length < 2) return null;
  const wallS = Math.max((last.atMs - first.atMs) / 1000, 1e-3);
  const delta = (pick: (s: MetricsSnapshot) => number | null) => {
    const a = pick(first);
    const b = pick(last);
    return a === null || b === null ? 0 : Math.max(0, b - a);
  };
  const during = snapshots.slice(1);
  const inFlight = snapshots.map((s) => s.inFlight ?? 0);
  return {
    cpuCores: delta((s) => s.cpuSeconds) / wallS,
    eventLoopLagP99Ms: Math.max(0, ...during.map((s) => (s.eventLoopLagP99Seconds ?? 0) * 1000)),
    gcShare: delta((s) => s.gcSeconds) / wallS,
    heapStartBytes: first.heapUsedBytes ?? 0,
    heapEndBytes: last.heapUsedBytes ?? 0,
    inFlightStart: first.inFlight ?? 0,
    inFlightEnd: last.inFlight ?? 0,
    inFlightMax: Math.max(...inFlight),
    shed: delta((s) => s.shedTotal),
    scrapes: snapshots.length,
  };
}
