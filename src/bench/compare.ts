/**
 * `headroom bench compare`: judges two runs benchmark by benchmark, as benchstat does, and decides the CI gate.
 *
 * - Timing: two-sided Mann-Whitney U on the ns/op samples, p-values Holm-adjusted across the benchmarks compared,
 *   Hodges-Lehmann shift as the effect estimate. With `paired` (bench ab: process i of each side ran in lockstep
 *   with process i of the other), every sample is first divided by the median of its base process, so a round the
 *   whole machine ran slow moves both sides alike instead of the pooled medians. Not significant at `alpha` → `same`
 *   (printed `~`). A confirmed regression — significant **and** the median slower by more than `threshold` — fails
 *   the gate. Fewer than 5 samples a side → `underpowered` (no verdict). Different environment fingerprints →
 *   timings are reported but not gated.
 * - Heap: B/op regresses when it grows by more than max(2%, 64 B), beyond the process-to-process spread, and
 *   significantly (see heap-gate.ts); it is gated even across environments.
 */
import { fingerprintDifferences } from './environment.js';
import { compareHeaps, type HeapComparison } from './heap-gate.js';
import { hodgesLehmann, holm, type MannWhitneyResult, mannWhitney, median } from './statistics/index.js';
import type { BenchmarkResult, BenchReport, MedianInterval } from './types.js';

/** Gate settings. */
export interface CompareOptions {
  /** Significance level after Holm correction. Default 0.01. */
  alpha?: number;
  /** Slowdown (fraction: 0.1 = 10%) a significant change must exceed to fail. Default 0.1. */
  threshold?: number;
  /**
   * The sides' processes ran in lockstep pairs (`bench ab`'s rounds): samples are compared relative to their base
   * process's median (see `relativeToBase`). Ignored for a benchmark whose sides do not record the same processes.
   */
  paired?: boolean;
}

/** Minimum samples a side for a timing verdict. */
export const MIN_SAMPLES = 5;

/** Timing verdict: `same` is benchstat's `~`; only `regression` fails the gate. */
export type TimeVerdict = 'same' | 'faster' | 'slower' | 'regression' | 'underpowered' | 'missing';

export type { HeapComparison, HeapVerdict } from './heap-gate.js';

/** One side's summary. */
export interface SideSummary extends MedianInterval {
  n: number;
}

/** One benchmark's comparison. */
export interface BenchComparison {
  name: string;
  old: SideSummary | null;
  new: SideSummary | null;
  /** (new − old) / old of the medians, in percent (of the samples relative to their base process, when `paired`). */
  deltaPct: number | null;
  /** Whether the timing was judged process by process (`paired` and both sides recorded the same processes). */
  paired: boolean;
  /** Hodges-Lehmann shift new − old, ns/op, and relative to the old median in percent. */
  shiftNs: number | null;
  shiftPct: number | null;
  test: (MannWhitneyResult & { pAdjusted: number }) | null;
  time: TimeVerdict;
  heap: HeapComparison;
  /** Whether this benchmark fails the gate (timing or heap regression). */
  failed: boolean;
}

/** The result of a comparison: `headroom.bench-compare/v1`. */
export interface CompareResult {
  schema: 'headroom.bench-compare/v1';
  alpha: number;
  thresholdPct: number;
  /** Why timings are not comparable (empty when they are). */
  environmentDifferences: string[];
  timingsGated: boolean;
  benchmarks: BenchComparison[];
  /** True when no benchmark failed the gate. */
  ok: boolean;
}

function side(result: BenchmarkResult): SideSummary {
  return {
    median: result.summary.median,
    low: result.summary.low,
    high: result.summary.high,
    confidence: result.summary.confidence,
    n: result.samples.length,
  };
}

/** The samples a timing is judged on: ns/op as measured, or relative to their base process (`paired`). */
interface JudgedSamples {
  old: number[];
  new: number[];
  paired: boolean;
}

/**
 * Both sides' samples divided by the median of the base's samples from the same process, or null when the sides do
 * not record the same processes. A noisy neighbour or a throttled vCPU can slow one round of `bench ab` as a whole —
 * in one run of the gate-honesty test three rounds of ten ran 1.5× slower on every side — and pooled raw samples
 * then mix rounds of different speed: five pooled rounds of identical code differed by up to 14%, where process
 * against process within a round they agreed within 2%. Relative to their own round, the rounds line up.
 */
function relativeToBase(a: BenchmarkResult, b: BenchmarkResult): JudgedSamples | null {
  const aIndex = a.processIndex;
  const bIndex = b.processIndex;
  if (!aIndex || !bIndex) return null;
  const processes = new Set(aIndex);
  if (processes.size !== new Set(bIndex).size || !bIndex.every((p) => processes.has(p))) return null;
  const baseMedian = new Map(
    [...processes].map((p) => [p, median(a.samples.filter((_, i) => aIndex[i] === p))]),
  );
  return {
    old: a.samples.map((x, i) => x / baseMedian.get(aIndex[i]!)!),
    new: b.samples.map((x, i) => x / baseMedian.get(bIndex[i]!)!),
    paired: true,
  };
}

/** Relative to their base process when `paired` and both sides recorded the same processes; else as measured. */
function judgedSamples(a: BenchmarkResult, b: BenchmarkResult, paired: boolean): JudgedSamples {
  return (paired && relativeToBase(a, b)) || { old: a.samples, new: b.samples, paired: false };
}

/** Compares `older` with `newer`. Benchmarks present on one side only are listed as `missing`. */
export function compareReports(
  older: BenchReport,
  newer: BenchReport,
  options: CompareOptions = {},
): CompareResult {
  const alpha = options.alpha ?? 0.01;
  const threshold = options.threshold ?? 0.1;
  const environmentDifferences = fingerprintDifferences(older.environment, newer.environment);
  if (older.settings.clock !== newer.settings.clock) {
    environmentDifferences.push(`clock ${older.settings.clock} vs ${newer.settings.clock}`);
  }
  const timingsGated = environmentDifferences.length === 0;
  const oldByName = new Map(older.benchmarks.map((b) => [b.name, b]));
  const newByName = new Map(newer.benchmarks.map((b) => [b.name, b]));
  const names = [...new Set([...oldByName.keys(), ...newByName.keys()])];

  const tested = names.flatMap((name) => {
    const a = oldByName.get(name);
    const b = newByName.get(name);
    if (!a || !b || a.samples.length < MIN_SAMPLES || b.samples.length < MIN_SAMPLES) return [];
    const samples = judgedSamples(a, b, options.paired ?? false);
    return [{ name, samples, test: mannWhitney(samples.new, samples.old) }];
  });
  const adjusted = holm(tested.map((t) => t.test.p));
  const tests = new Map(tested.map((t, i) => [t.name, { ...t.test, pAdjusted: adjusted[i]! }]));
  const judged = new Map(tested.map((t) => [t.name, t.samples]));
  const heaps = compareHeaps(
    names.map((name) => ({ old: oldByName.get(name), new: newByName.get(name) })),
    alpha,
  );

  const benchmarks = names.map((name, index): BenchComparison => {
    const a = oldByName.get(name);
    const b = newByName.get(name);
    const heap = heaps[index]!;
    if (!a || !b) {
      return {
        name,
        old: a ? side(a) : null,
        new: b ? side(b) : null,
        deltaPct: null,
        paired: false,
        shiftNs: null,
        shiftPct: null,
        test: null,
        time: 'missing',
        heap,
        failed: false,
      };
    }
    const oldMedian = a.summary.median;
    // Under MIN_SAMPLES no test ran: the figures are then of the samples as measured.
    const samples = judged.get(name) ?? judgedSamples(a, b, false);
    const judgedOldMedian = samples.paired ? median(samples.old) : oldMedian;
    const deltaPct = ((median(samples.new) - judgedOldMedian) / judgedOldMedian) * 100;
    // In base-relative units when paired (the base median is then about 1), converted back to ns/op.
    const shiftNs = hodgesLehmann(samples.old, samples.new) * (oldMedian / judgedOldMedian);
    const test = tests.get(name) ?? null;
    let time: TimeVerdict;
    if (!test) time = 'underpowered';
    else if (test.pAdjusted >= alpha) time = 'same';
    else if (deltaPct < 0) time = 'faster';
    else time = timingsGated && deltaPct > threshold * 100 ? 'regression' : 'slower';
    return {
      name,
      old: side(a),
      new: side(b),
      deltaPct,
      paired: samples.paired,
      shiftNs,
      shiftPct: (shiftNs / oldMedian) * 100,
      test,
      time,
      heap,
      failed: time === 'regression' || heap.verdict === 'regression',
    };
  });
  return {
    schema: 'headroom.bench-compare/v1',
    alpha,
    thresholdPct: threshold * 100,
    environmentDifferences,
    timingsGated,
    benchmarks,
    ok: benchmarks.every((b) => !b.failed),
  };
}
