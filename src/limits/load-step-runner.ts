/**
 * The real step runner: one open-model `load()` run per step, with the SLOs as load thresholds, while a
 * sampler watches the target's `/metrics` when an admin URL is known.
 */

import { load } from '../load/index.js';
import { errorRatePct } from '../load/thresholds.js';
import type { LoadResult } from '../load/types.js';
import type { StepMeasurement, StepRunner } from './step-runner.js';
import { startTargetSampler } from './target-sampler.js';
import type { LimitsRequest, TargetSignals } from './types.js';

/** Unmeasured load before the calibration step. */
export const CALIBRATION_WARMUP_MS = 1000;

/** Where and how the steps load the target. */
export interface LoadStepRunnerOptions {
  url: string;
  slo: string[];
  request: LimitsRequest;
  admin: string | null;
}

/** A step runner backed by `headroom load`'s open model. */
export function loadStepRunner(options: LoadStepRunnerOptions): StepRunner {
  return async ({ phase, rate, durationMs, ctx }) => {
    const sampler = options.admin ? await startTargetSampler(options.admin) : null;
    let result: LoadResult;
    try {
      result = await load({
        ...options.request,
        url: options.url,
        rate,
        duration: durationMs,
        // The first step also warms the target (JIT, connections) before it is measured.
        warmup: phase === 'calibrate' ? CALIBRATION_WARMUP_MS : 0,
        thresholds: options.slo,
        ctx,
      });
    } catch (error) {
      // The sampler must stop even when load() throws, or its timer keeps the process alive.
      await sampler?.stop();
      throw error;
    }
    const target = sampler ? await sampler.stop() : null;
    return toMeasurement(rate, result, target);
  };
}

/** Maps a load result to what the search needs from a step. */
export function toMeasurement(
  rate: number,
  result: LoadResult,
  target: TargetSignals | null,
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
    generatorWarnings: result.generator.warnings,
    target,
  };
}
