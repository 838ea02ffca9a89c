/**
 * The real step runner: one load session for the whole search (its threads, virtual users and connections opened
 * once), each step an open-model window of it with the SLOs as load thresholds, while a sampler watches the
 * target's `/metrics` when an admin URL is known, another the machine when the target runs on it, and another the
 * database with `--db`.
 */

import { type LoadSession, openLoadSession } from '../load/index.js';
import { errorRatePct, parseThreshold } from '../load/thresholds.js';
import type { LoadResult } from '../load/types.js';
import { startDatabaseSampler } from './database-sampler.js';
import { isLocalTarget, startHostSampler } from './host-sampler.js';
import { watchSealedFailure } from './sealed-failure.js';
import type { StepMeasurement, StepRequest, StepRunner } from './step-runner.js';
import { startTargetSampler } from './target-sampler.js';
import type { HostSignals, LimitsOptions, LimitsRequest, TargetSignals } from './types.js';

/** Unmeasured load before the calibration step. */
export const CALIBRATION_WARMUP_MS = 1000;

/** Bounds of the connection pool sized per step (see `connectionsFor`). */
const CONNECTION_BOUNDS = { min: 64, max: 1024 } as const;

/** Where and how the steps load the target. */
export interface LoadStepRunnerOptions {
  url: string;
  slo: string[];
  request: LimitsRequest;
  admin: string | null;
  /** Each step's live figures, about once a second. */
  onProgress?: LimitsOptions['onProgress'];
  onLoadResult?: LimitsOptions['onLoadResult'];
  /** The target's PostgreSQL URL (`--db`), sampled during each step; null for none. */
  db?: string | null;
}

/** A step runner that holds a load session: `close` ends it (its connections and threads). */
export type ClosableStepRunner = StepRunner & { close(): Promise<void> };

/**
 * A step runner backed by `headroom load`'s open model. The session opens with the first step (connections for
 * its rate, scenario setup per virtual user) and stays for every later one, growing its connections when a step
 * needs more: a step costs its own length, not a generator start-up.
 */
export function loadStepRunner(options: LoadStepRunnerOptions): ClosableStepRunner {
  const latencyBoundMs = sloLatencyBoundMs(options.slo);
  const local = isLocalTarget(options.url);
  const db = options.db ?? null;
  const dbLocal = db !== null && isLocalTarget(db);
  let session: LoadSession | null = null;
  const connections = (rate: number) => options.request.connections ?? connectionsFor(rate, latencyBoundMs);
  const open = (rate: number) =>
    openLoadSession({ ...options.request, url: options.url, rate, connections: connections(rate) });
  const step = async ({ phase, rate, durationMs, ctx, onFlowing }: StepRequest) => {
    // Opened before the samplers start: the scenario's setup (logins) is not part of the first step's figures.
    session ??= await open(rate);
    const sampler = options.admin ? await startTargetSampler(options.admin) : null;
    const hostSampler = local ? startHostSampler({ targetUrl: options.url }) : null;
    const dbSampler = db ? await startDatabaseSampler(db, dbLocal).catch(() => null) : null;
    let result: LoadResult;
    try {
      let flowing = false;
      // A step already certain to fail ends there (the profile step is not judged: it runs in full).
      const sealed = phase === 'profile' ? null : watchSealedFailure(options.slo, (rate * durationMs) / 1000);
      const running = session;
      result = await running.run({
        connections: connections(rate),
        rate,
        duration: durationMs,
        // The first step also warms the target (JIT, connections) before it is measured.
        warmup: phase === 'calibrate' ? CALIBRATION_WARMUP_MS : 0,
        thresholds: options.slo,
        ctx,
        onProgress: (progress) => {
          options.onProgress?.({ ...progress, phase, offeredRps: rate });
          if (sealed?.check(progress)) running.end();
          if (flowing) return;
          flowing = true;
          onFlowing?.();
        },
      });
    } catch (error) {
      // The samplers must stop even when the window throws, or their timers keep the process alive.
      hostSampler?.stop();
      await dbSampler?.stop();
      await sampler?.stop();
      throw error;
    }
    const host = hostSampler?.stop() ?? null;
    const database = (await dbSampler?.stop()) ?? null;
    const target = sampler ? await sampler.stop() : null;
    options.onLoadResult?.(result);
    return { ...toMeasurement(rate, result, target, host), database };
  };
  return Object.assign(step, {
    close: async () => {
      await session?.close();
      session = null;
    },
  });
}

/**
 * Connections for an open-model step at `rate`: a target meeting the SLO holds about rate × latency requests in
 * flight (Little's law), so the pool gets 1.5× that at the SLO's latency bound — fewer would queue requests in
 * the generator and break the SLO there, reporting the pool's limit as the target's. Clamped to
 * `CONNECTION_BOUNDS`.
 */
export function connectionsFor(rate: number, latencyBoundMs: number): number {
  const needed = Math.ceil((rate * latencyBoundMs * 1.5) / 1000);
  return Math.min(CONNECTION_BOUNDS.max, Math.max(CONNECTION_BOUNDS.min, needed));
}

/** The loosest latency bound among the SLOs (`p99<100ms` → 100); 1 s when none bounds latency from above. */
export function sloLatencyBoundMs(slo: readonly string[]): number {
  const bounds = slo
    .map((expr) => parseThreshold(expr))
    .filter((t) => t.metric !== 'errors' && t.metric !== 'rps' && t.op.startsWith('<'))
    .map((t) => t.limit);
  return bounds.length > 0 ? Math.max(...bounds) : 1000;
}

/** Maps a load result to what the search needs from a step. */
export function toMeasurement(
  rate: number,
  result: LoadResult,
  target: TargetSignals | null,
  host: HostSignals | null = null,
): StepMeasurement {
  return {
    offeredRps: rate,
    achievedRps: result.throughput.rps,
    durationS: result.durationS,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    p999Ms: result.latencyMs.p999,
    errorRate: errorRatePct(result) / 100,
    slo: result.thresholds,
    sentRps: result.throughput.sentRps,
    generatorBound: result.generator.bound,
    sendLagP99Ms: result.generator.sendLagP99Ms,
    // A server-streaming call's SLO latency is to its end: its first byte (the headers) would flatter it.
    latencyFromSendMs: result.grpcStreaming ? result.phasesMs.response : result.phasesMs.firstByte,
    generatorWarnings: result.generator.warnings,
    target,
    host,
  };
}
