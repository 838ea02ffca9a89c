/**
 * The capacity search, independent of how a step is run: calibrate at a low rate (warming the target up), ramp
 * ×2 until the SLO breaks (confirming the first break, so one noisy step does not end the ramp), bisect between
 * the last pass and the first fail to `precision`, then re-test the boundary. Every step is bounded and so is
 * the whole search: a step starts only if it fits the budget, and one cut short by the context is dropped.
 */
import type { Context } from '../context/index.js';
import { judgeStep } from './judge-step.js';
import {
  type Decision,
  decideOutcome,
  type SearchEnd,
  type SearchStop,
  type SearchVerdict,
  stopIn,
} from './outcome.js';
import { type StepBounds, stepLengthMs } from './step-length.js';
import type { StepRunner } from './step-runner.js';
import type { LimitsStep, StepPhase } from './types.js';

/** How the search runs; all times in ms. */
export interface SearchPlan {
  /** Shortest measured step: ramp steps run ½–1×, bisection and re-test steps 1–3× this. */
  stepMs: number;
  /** Pause after a passing step (doubled after a failing one). */
  cooldownMs: number;
  /** Bound on the whole search. */
  maxTimeMs: number;
  /** Never offer more than this. */
  maxRate: number | null;
  /** Bisection stops when (high − low) / low ≤ precision. */
  precision: number;
  /** Samples a fine step should collect (see `samplesNeeded`). */
  samples: number;
  /** Rate of the calibration step. Default 25. */
  calibrationRate?: number;
}

/** Environment of the search: injected so tests can run it on simulated time. */
export interface SearchHooks {
  onStep?: (step: LimitsStep) => void;
  /** Milliseconds since some origin. Default `performance.now`. */
  now?: () => number;
  /** Waits `ms` (cool-down). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Ends the search early; what was measured so far is kept. */
  ctx?: Context;
}

/** Where the search ended, before any bottleneck analysis: the band it measured and the claim it makes. */
export interface SearchOutcome extends SearchEnd, Decision {
  steps: LimitsStep[];
  notes: string[];
}

const MAX_RETESTS = 2;

/**
 * Runs the search with `runner`; never throws for a breaking target, only for runner errors. A step that is cut
 * short or does not fit records where the search stopped, and the search ends there: `decideOutcome` then never
 * claims `found`.
 */
export async function searchCapacity(
  runner: StepRunner,
  plan: SearchPlan,
  hooks: SearchHooks = {},
): Promise<SearchOutcome> {
  const now = hooks.now ?? (() => performance.now());
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const steps: LimitsStep[] = [];
  const notes: string[] = [];
  const cap = (rate: number) => Math.round(plan.maxRate === null ? rate : Math.min(rate, plan.maxRate));
  const ramp: StepBounds = { minMs: plan.stepMs / 2, maxMs: plan.stepMs };
  const fine: StepBounds = { minMs: plan.stepMs, maxMs: 3 * plan.stepMs };
  const halted: { stop: SearchStop | null } = { stop: null };

  // What a step costs beyond its measured length (generator start-up, warm-up, drain), from the last step.
  let overheadMs = 0;
  /** Runs one step if the budget allows; null (the stop recorded) when it does not, or the search was stopped. */
  const run = async (phase: StepPhase, rate: number, bounds: StepBounds): Promise<LimitsStep | null> => {
    const stop = () => {
      halted.stop ??= stopIn(phase, hooks.ctx);
      return null;
    };
    const durationMs = stepLengthMs(rate, plan.samples, bounds);
    if (halted.stop || hooks.ctx?.err) return stop();
    // The step, what the last one cost beyond its length, and the longest cool-down after it must all fit.
    if (now() - started + durationMs + overheadMs + 2 * plan.cooldownMs > plan.maxTimeMs) return stop();
    const before = now();
    const measured = await runner({ phase, rate, durationMs, ctx: hooks.ctx });
    overheadMs = Math.max(0, now() - before - durationMs);
    // A step cut short (Ctrl-C, the --max-time deadline) measured less than it should: it is not judged.
    if (hooks.ctx?.err) return stop();
    const step = judgeStep(phase, measured);
    steps.push(step);
    hooks.onStep?.(step);
    await sleep(step.pass ? plan.cooldownMs : 2 * plan.cooldownMs);
    return step;
  };
  let low: number | null = null;
  let high: number | null = null;
  /** Every exit: the verdict the steps reached (null when a step did not run), decided against any stop. */
  const finish = (verdict: SearchVerdict | null): SearchOutcome => {
    const end: SearchEnd = { verdict, stop: halted.stop, low, high };
    return { ...end, ...decideOutcome(end), steps, notes };
  };

  // 1. Calibration: can the target meet the SLO at all?
  const calibrationRate = cap(plan.calibrationRate ?? 25);
  const calibration = await run('calibrate', calibrationRate, ramp);
  if (!calibration) return finish(null);
  if (!calibration.pass) {
    // A cold target (JIT, lazy connections) can miss once: confirm before giving up.
    const again = await run('confirm', calibrationRate, ramp);
    if (!again) return finish(null);
    if (!again.pass) {
      high = calibrationRate;
      return finish(again.generatorLimited ? 'generator-bound' : 'no-rate-meets-slo');
    }
  }
  low = calibrationRate;
  let highStep: LimitsStep | null = null;

  for (let look = 0; ; look++) {
    // 2. Exponential ramp until a confirmed break (resumed if a second look clears the only failure).
    while (high === null) {
      if (plan.maxRate !== null && low >= plan.maxRate) return finish('max-rate');
      const rate = cap(low * 2);
      const step = await run('ramp', rate, ramp);
      if (!step) return finish(null);
      if (step.pass) {
        low = rate;
        continue;
      }
      const confirm = await run('confirm', rate, fine);
      if (!confirm) return finish(null);
      if (confirm.pass) {
        notes.push(`${rate} req/s failed once in the ramp and passed its confirmation`);
        low = rate;
        continue;
      }
      high = rate;
      highStep = confirm;
    }

    // 3–4. Bisect between the last pass and the first fail, then re-test the boundary: a band, not a lucky
    // number. A boundary that fails its re-test becomes the new fail, and the band below it is bisected again.
    for (let round = 0; round < MAX_RETESTS; round++) {
      while ((high - low) / low > plan.precision) {
        const mid = Math.round((low + high) / 2);
        if (mid <= low || mid >= high) break;
        const step = await run('bisect', mid, fine);
        if (!step) return finish(null);
        if (step.pass) low = mid;
        else {
          high = mid;
          highStep = step;
        }
      }
      const step = await run('retest', low, fine);
      if (!step) return finish(null);
      if (step.pass) break;
      high = low;
      highStep = step;
      const below = highestPassBelow(steps, low);
      if (below === null) {
        low = null;
        return finish(step.generatorLimited ? 'generator-bound' : 'no-rate-meets-slo');
      }
      notes.push(`${low} req/s failed its re-test; searching again below it from ${below} req/s`);
      low = below;
      if (round === MAX_RETESTS - 1) notes.push(`${low} req/s was not re-tested (unstable near the knee)`);
    }

    // 5. A boundary failure only the generator explains gets one second look (a shared machine hiccups); if it
    // passes, the search goes on above it, against the next failing rate (or a resumed ramp).
    if (!highStep?.generatorLimited || look > 0) break;
    const again = await run('retest', high, fine);
    if (!again) return finish(null);
    if (!again.pass) {
      highStep = again;
      break;
    }
    notes.push(`${high} req/s passed on a second look`);
    low = high;
    highStep = lowestFailAbove(steps, low);
    high = highStep?.offeredRps ?? null;
  }
  return finish(highStep?.generatorLimited ? 'generator-bound' : 'found');
}

function lowestFailAbove(steps: readonly LimitsStep[], rate: number): LimitsStep | null {
  let best: LimitsStep | null = null;
  for (const step of steps) {
    if (!step.pass && step.offeredRps > rate && (best === null || step.offeredRps < best.offeredRps))
      best = step;
  }
  return best;
}

function highestPassBelow(steps: readonly LimitsStep[], rate: number): number | null {
  let best: number | null = null;
  for (const step of steps) {
    if (step.pass && step.offeredRps < rate && (best === null || step.offeredRps > best))
      best = step.offeredRps;
  }
  return best;
}
