/**
 * Watches the target during one step: scrapes `/metrics` before the load starts and every `intervalMs` while it
 * runs, then reduces the snapshots to per-step signals (CPU cores, GC share, worst event-loop lag, heap and
 * in-flight trends). prom-client resets its event-loop histogram on every scrape, so each scrape's p99 covers
 * the interval since the previous one.
 */
import { type MetricsSnapshot, type PoolSnapshot, scrapeMetrics } from './metrics-snapshot.js';
import type { OutboundSignals, PoolSignals, TargetSignals } from './types.js';

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
  // A labelled counter has no series before its first refusal: one that appears during the step started at 0.
  const shed = last.shedTotal === null ? 0 : Math.max(0, last.shedTotal - (first.shedTotal ?? 0));
  return {
    cpuCores: delta((s) => s.cpuSeconds) / wallS,
    eventLoopLagP99Ms: Math.max(0, ...during.map((s) => (s.eventLoopLagP99Seconds ?? 0) * 1000)),
    gcShare: delta((s) => s.gcSeconds) / wallS,
    heapStartBytes: first.heapUsedBytes ?? 0,
    heapEndBytes: last.heapUsedBytes ?? 0,
    inFlightStart: first.inFlight ?? 0,
    inFlightEnd: last.inFlight ?? 0,
    inFlightMax: Math.max(...inFlight),
    shed,
    shedByReason: shedByReason(first, last),
    shedShare: shedShare(first, last, shed),
    concurrencyLimit: limitRange(during),
    scrapes: snapshots.length,
    requestMsAvg: meanRequestMs(first, last, shed > 0),
    pool: busiestPool(snapshots, wallS),
    outbound: slowestHosts(snapshots, wallS),
  };
}

/** The pool that had requests waiting longest over the step (then the most in use), with its figures. */
export function summarisePool(
  name: string,
  snapshots: readonly MetricsSnapshot[],
  wallS: number,
): PoolSignals | null {
  const seen = snapshots.map((s) => s.pools[name]);
  const first = seen[0];
  const last = seen.at(-1);
  if (!first || !last) return null;
  // The baseline scrape was taken before the load: the gauges are averaged over the scrapes during the step.
  const during = seen.slice(1).filter((p) => p !== undefined);
  if (during.length === 0) return null;
  const mean = (pick: (p: NonNullable<(typeof during)[number]>) => number) =>
    during.reduce((sum, p) => sum + pick(p), 0) / during.length;
  const acquired = Math.max(0, last.acquired - first.acquired);
  const acquiredPerS = acquired / wallS;
  const inUseAvg = mean((p) => p.inUse);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    name,
    max: last.max,
    inUseAvg: round(inUseAvg),
    inUseMax: Math.max(...during.map((p) => p.inUse)),
    waitingAvg: round(mean((p) => p.waiting)),
    waitingMax: Math.max(...during.map((p) => p.waiting)),
    waitingShare: round(during.filter((p) => p.waiting > 0).length / during.length),
    acquiredPerS: round(acquiredPerS),
    waitMsAvg: acquired > 0 ? round(((last.waitSeconds - first.waitSeconds) / acquired) * 1000) : null,
    heldMsAvg: heldMs(first, last) ?? (acquiredPerS > 0 ? round((inUseAvg / acquiredPerS) * 1000) : null),
  };
}

/**
 * The mean time the target took per request answered during the step, ms; null without its histogram. When it
 * shed requests (`withoutRefusals`), its 503s are left out: a refusal is held for `SHED_DELAY` (100 ms) and would
 * pass for slow work, diluting the pool-wait and dependency shares measured against this time.
 */
function meanRequestMs(
  first: MetricsSnapshot,
  last: MetricsSnapshot,
  withoutRefusals: boolean,
): number | null {
  // A histogram has no series before its first observation: a fresh target starts from zero.
  if (last.requests === null) return null;
  const since = (end: number | null, start: number | null) => (end ?? 0) - (start ?? 0);
  let answered = since(last.requests, first.requests);
  let seconds = since(last.requestSeconds, first.requestSeconds);
  if (withoutRefusals) {
    answered -= since(last.unavailable, first.unavailable);
    seconds -= since(last.unavailableSeconds, first.unavailableSeconds);
  }
  if (answered <= 0) return null;
  return Math.round((Math.max(0, seconds) / answered) * 1e5) / 100;
}

/** Requests shed during the step by reason, the reasons that shed only. */
function shedByReason(first: MetricsSnapshot, last: MetricsSnapshot): Record<string, number> {
  const shed: Record<string, number> = {};
  for (const [reason, total] of Object.entries(last.shedByReason)) {
    const during = total - (first.shedByReason[reason] ?? 0);
    if (during > 0) shed[reason] = during;
  }
  return shed;
}

/** `shed` over the requests answered during the step (refusals are answered too); null without the histogram. */
function shedShare(first: MetricsSnapshot, last: MetricsSnapshot, shed: number): number | null {
  if (last.requests === null) return null;
  const answered = Math.max(last.requests - (first.requests ?? 0), shed);
  return answered > 0 ? Math.round((shed / answered) * 1e6) / 1e6 : 0;
}

/** Lowest and highest finite `http_concurrency_limit` over the scrapes during the step; null when none. */
function limitRange(during: readonly MetricsSnapshot[]): { min: number; max: number } | null {
  const limits = during.map((s) => s.concurrencyLimit).filter((v): v is number => v !== null);
  return limits.length === 0 ? null : { min: Math.min(...limits), max: Math.max(...limits) };
}

/** The hosts the target spent most time calling during the step, at most three. */
export function slowestHosts(snapshots: readonly MetricsSnapshot[], wallS: number): OutboundSignals[] {
  const first = snapshots[0];
  const last = snapshots.at(-1);
  if (!first || !last) return [];
  const during = snapshots.slice(1);
  const hosts: (OutboundSignals & { seconds: number })[] = [];
  for (const [host, end] of Object.entries(last.outbound)) {
    const start = first.outbound[host] ?? { seconds: 0, calls: 0, inFlight: 0 };
    const calls = end.calls - start.calls;
    if (calls <= 0) continue;
    const seconds = end.seconds - start.seconds;
    const inFlight = during.map((s) => s.outbound[host]?.inFlight ?? 0);
    hosts.push({
      host,
      callsPerS: Math.round((calls / wallS) * 100) / 100,
      meanMs: Math.round((seconds / calls) * 1e5) / 100,
      inFlightAvg:
        Math.round((inFlight.reduce((a, b) => a + b, 0) / Math.max(inFlight.length, 1)) * 100) / 100,
      seconds,
    });
  }
  return hosts
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 3)
    .map(({ seconds: _, ...host }) => host);
}

/** Mean checkout time from the held histogram, ms; null without it (then Little's law estimates it). */
function heldMs(first: PoolSnapshot, last: PoolSnapshot): number | null {
  if (last.heldSeconds === null || last.released === null) return null;
  const released = last.released - (first.released ?? 0);
  if (released <= 0) return null;
  return Math.round(((last.heldSeconds - (first.heldSeconds ?? 0)) / released) * 1e5) / 100;
}

function busiestPool(snapshots: readonly MetricsSnapshot[], wallS: number): PoolSignals | null {
  const names = Object.keys(snapshots.at(-1)?.pools ?? {});
  const pools = names
    .map((name) => summarisePool(name, snapshots, wallS))
    .filter((p): p is PoolSignals => p !== null);
  pools.sort((a, b) => b.waitingAvg - a.waitingAvg || b.inUseAvg - a.inUseAvg);
  return pools[0] ?? null;
}
