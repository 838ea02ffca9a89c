/**
 * The capacity search, independent of how a step is run: calibrate at a low rate (warming the target up), ramp
 * ×2 until the SLO breaks (a narrow break confirmed at once), bisect between the last pass and the first fail to
 * `precision` (confirming the ramp's break if the band still ends there, so one noisy step does not end the ramp),
 * then re-test the boundary. Every step is bounded and so is the whole search: a step starts only if it fits the
 * budget, and one cut short by the context is dropped.
 */
import type { Context } from '../context/index.js';
import { parseThreshold } from '../load/thresholds.js';
import { judgeStep, MIN_ACHIEVED_SHARE } from './judge-step.js';
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
  /**
   * Half the pause after a failing step. A passing step needs none: `load()` returns once every response is in,
   * and a pass answered them all within the SLO, so no backlog is left to leak into the next step.
   */
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

/** Failed re-tests in a row after which the notes call the knee unstable (the search goes on). */
const UNSTABLE_ROUNDS = 3;

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
  const search = new CapacitySearch(runner, plan, hooks);
  let verdict: SearchVerdict | null = null;
  try {
    verdict = await search.run();
  } catch (error) {
    if (!(error instanceof Halted)) throw error;
  }
  return search.finish(verdict);
}

/** Thrown by a step that cannot run (stopped, or out of time): the search ends where it is. */
class Halted extends Error {}

/** One search's state: its steps, the band [low, high] they prove, and where it stopped if it did. */
class CapacitySearch {
  private readonly steps: LimitsStep[] = [];
  private readonly notes: string[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly started: number;
  private readonly rampBounds: StepBounds;
  private readonly fineBounds: StepBounds;
  private stop: SearchStop | null = null;
  /** What a step costs beyond its measured length (generator start-up, warm-up, drain), from the last step. */
  private overheadMs = 0;
  /** Highest rate that passed (null: none yet). */
  private low: number | null = null;
  /** Lowest failing rate above `low` that stands, and the step that showed it. */
  private high: number | null = null;
  private highStep: LimitsStep | null = null;

  constructor(
    private readonly runner: StepRunner,
    private readonly plan: SearchPlan,
    private readonly hooks: SearchHooks,
  ) {
    this.now = hooks.now ?? (() => performance.now());
    this.sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.started = this.now();
    this.rampBounds = { minMs: plan.stepMs / 2, maxMs: plan.stepMs };
    this.fineBounds = { minMs: plan.stepMs, maxMs: 3 * plan.stepMs };
  }

  /** Calibrate, ramp, bisect and re-test until the steps reach a verdict; throws `Halted` when a step cannot run. */
  async run(): Promise<SearchVerdict> {
    const lost = await this.calibrate();
    if (lost) return lost;
    let looked = false;
    for (;;) {
      if (await this.ramp()) return 'max-rate';
      await this.bisect();
      if (!(await this.confirmBreak())) continue;
      const unstable = await this.bisectAndRetest();
      if (unstable) return unstable;
      if (looked || !(await this.secondLook())) break;
      looked = true;
    }
    return this.highStep?.generatorLimited ? 'generator-bound' : 'found';
  }

  /** Every exit: the verdict the steps reached (null when a step did not run), decided against any stop. */
  finish(verdict: SearchVerdict | null): SearchOutcome {
    const end: SearchEnd = { verdict, stop: this.stop, low: this.low, high: this.high };
    return { ...end, ...decideOutcome(end), steps: this.steps, notes: this.notes };
  }

  /** 1. Can the target meet the SLO at all? A verdict when it cannot. */
  private async calibrate(): Promise<SearchVerdict | null> {
    const rate = this.cap(this.plan.calibrationRate ?? 25);
    // A cold target (JIT, lazy connections) can miss once: confirm before giving up.
    if (!(await this.step('calibrate', rate, this.rampBounds)).pass) {
      const again = await this.step('confirm', rate, this.rampBounds);
      if (!again.pass) {
        this.high = rate;
        return again.generatorLimited ? 'generator-bound' : 'no-rate-meets-slo';
      }
    }
    this.low = rate;
    return null;
  }

  /** 2. Doubles the rate until a break (no-op once there is one); true when `--max-rate` is reached. */
  private async ramp(): Promise<boolean> {
    while (this.high === null) {
      const low = this.low as number;
      if (this.plan.maxRate !== null && low >= this.plan.maxRate) return true;
      const rate = this.cap(low * 2);
      const step = await this.step('ramp', rate, this.rampBounds);
      if (step.pass) this.low = rate;
      else if (!isMarginal(step)) this.fail(step);
      else if (!(await this.confirmRampBreak(step))) this.low = rate;
    }
    return false;
  }

  /**
   * A ramp step that failed only narrowly (latency within 1.5× its bound, every request answered) is as likely
   * noise as the knee: it is confirmed right away with a longer step, before a bisection below it that would only
   * find passes. True when the confirmation fails too (the band's upper end stands).
   */
  private async confirmRampBreak(ramp: LimitsStep): Promise<boolean> {
    const confirm = await this.step('confirm', ramp.offeredRps, this.fineBounds);
    if (!confirm.pass) {
      this.fail(confirm);
      return true;
    }
    this.notes.push(`${ramp.offeredRps} req/s failed narrowly in the ramp and passed its confirmation`);
    return false;
  }

  /**
   * 2b. The ramp's break is confirmed only when the bisection ends against it: a lower failure already stands on
   * its own, so one noisy ramp step costs a confirmation only when it matters. True when the band's upper end
   * stands; false when the confirmation passed and the ramp resumes above it.
   */
  private async confirmBreak(): Promise<boolean> {
    if (this.highStep?.phase !== 'ramp') return true;
    const rate = this.high as number;
    const confirm = await this.step('confirm', rate, this.fineBounds);
    if (!confirm.pass) {
      this.highStep = confirm;
      return true;
    }
    this.notes.push(`${rate} req/s failed once in the ramp and passed its confirmation`);
    this.low = rate;
    this.high = null;
    this.highStep = null;
    return false;
  }

  /**
   * 3–4. Bisects between the last pass and the first fail, then re-tests the boundary: a band, not a lucky number.
   * A boundary that fails its re-test becomes the new fail (bisection converges where a step passes about half the
   * time, so its last pass is the likeliest to fail again), and the rate one `precision` below it is re-tested
   * next — or the highest pass below it, when that lies within the precision: on a noisy machine the knee is a
   * band about that wide, and bisecting inside it only measures the noise. When that re-test fails too, the knee
   * lies lower than noise explains: the band between the highest pass below and that failure is bisected to
   * `precision` again, and its boundary re-tested. It ends only on a re-test that passes — the rate claimed passed
   * its re-test, with a rate at or above it passing before — or when no passing rate is left below (a verdict);
   * every round lowers the band, and the time budget bounds the rounds.
   */
  private async bisectAndRetest(): Promise<SearchVerdict | null> {
    await this.bisect();
    let rate = this.low as number;
    // Whether `rate` is the one-precision step below a failed re-test (it has not passed before).
    let stepped = false;
    for (let failed = 1; ; failed++) {
      const retest = await this.step('retest', rate, this.fineBounds);
      if (retest.pass) {
        this.low = rate;
        return null;
      }
      this.fail(retest);
      const below = highestPassBelow(this.steps, rate);
      if (below === null) {
        this.low = null;
        return retest.generatorLimited ? 'generator-bound' : 'no-rate-meets-slo';
      }
      this.low = below;
      // One precision below the failure (rounded up, so the band stays within it), and below it.
      const near = Math.min(Math.ceil(rate / (1 + this.plan.precision)), rate - 1);
      if (below >= near) {
        this.notes.push(
          `${rate} req/s failed its re-test; re-testing ${below} req/s, the highest pass below it`,
        );
        [rate, stepped] = [below, false];
      } else if (!stepped) {
        const pct = Math.round(this.plan.precision * 100);
        this.notes.push(`${rate} req/s failed its re-test; re-testing ${near} req/s, ${pct}% below it`);
        [rate, stepped] = [near, true];
      } else {
        this.notes.push(`${rate} req/s failed its re-test; searching again below it from ${below} req/s`);
        await this.bisect();
        [rate, stepped] = [this.low as number, false];
      }
      if (failed === UNSTABLE_ROUNDS) this.notes.push('unstable near the knee: re-tests keep failing');
    }
  }

  /** Halves [low, high] until it is within `precision`. */
  private async bisect(): Promise<void> {
    for (;;) {
      const low = this.low as number;
      const high = this.high as number;
      const mid = Math.round((low + high) / 2);
      if ((high - low) / low <= this.plan.precision || mid <= low || mid >= high) return;
      const step = await this.step('bisect', mid, this.fineBounds);
      if (step.pass) this.low = mid;
      else this.fail(step);
    }
  }

  /**
   * 5. A boundary failure only the generator explains gets one second look (a shared machine hiccups). True when
   * it passes: the search goes on above it, against the next failing rate (or a resumed ramp).
   */
  private async secondLook(): Promise<boolean> {
    if (!this.highStep?.generatorLimited) return false;
    const high = this.high as number;
    const again = await this.step('retest', high, this.fineBounds);
    if (!again.pass) {
      this.highStep = again;
      return false;
    }
    this.notes.push(`${high} req/s passed on a second look`);
    this.low = high;
    this.highStep = lowestFailAbove(this.steps, high);
    this.high = this.highStep?.offeredRps ?? null;
    return true;
  }

  /** A failing step becomes the upper end of the band. */
  private fail(step: LimitsStep): void {
    this.high = step.offeredRps;
    this.highStep = step;
  }

  private cap(rate: number): number {
    return Math.round(this.plan.maxRate === null ? rate : Math.min(rate, this.plan.maxRate));
  }

  /** Runs and judges one step, then cools down; throws `Halted` (the stop recorded) when it cannot run in full. */
  private async step(phase: StepPhase, rate: number, bounds: StepBounds): Promise<LimitsStep> {
    const { ctx } = this.hooks;
    const halt = (): never => {
      this.stop ??= stopIn(phase, ctx);
      throw new Halted();
    };
    const durationMs = stepLengthMs(rate, this.plan.samples, bounds);
    if (this.stop || ctx?.err) halt();
    // The step, what the last one cost beyond its length, and the longest cool-down after it must all fit.
    const needMs = durationMs + this.overheadMs + 2 * this.plan.cooldownMs;
    if (this.now() - this.started + needMs > this.plan.maxTimeMs) halt();
    const before = this.now();
    const measured = await this.runner({ phase, rate, durationMs, ctx });
    this.overheadMs = Math.max(0, this.now() - before - durationMs);
    // A step cut short (Ctrl-C, the --max-time deadline) measured less than it should: it is not judged.
    if (ctx?.err) halt();
    const step = judgeStep(phase, measured);
    this.steps.push(step);
    this.hooks.onStep?.(step);
    // After a pass the hook still runs (with --admin it waits for the target's in-flight requests to drain).
    await this.sleep(step.pass ? 0 : 2 * this.plan.cooldownMs);
    return step;
  }
}

/** Latency bounds broken by at most this factor count as a narrow failure. */
const NARROW_FACTOR = 1.5;

/** Whether a failing step broke only latency SLOs, each within `NARROW_FACTOR` of its bound, and kept up. */
function isMarginal(step: LimitsStep): boolean {
  if (step.generatorLimited || step.achievedRps < MIN_ACHIEVED_SHARE * step.offeredRps) return false;
  return step.slo.every((outcome) => {
    if (outcome.ok) return true;
    const threshold = parseThreshold(outcome.expr);
    const latency =
      threshold.metric !== 'errors' && threshold.metric !== 'rps' && threshold.op.startsWith('<');
    return latency && outcome.actual <= NARROW_FACTOR * threshold.limit;
  });
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
