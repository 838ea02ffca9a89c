/**
 * The heap half of `bench compare`: whether B/op changed, judged against its noise as timing is.
 *
 * A change counts only when it is larger than max(2%, 64 B) of the old B/op, larger than the process-to-process
 * spread (the range of the per-process B/op on each side, its farthest process left out from four on, added: a
 * benchmark over random data allocates 3–6% more or less from one process to the next), and either both sides are deterministic (every batch the same B/op, so
 * the change is exact) or Mann-Whitney on the per-batch B/op finds it significant (Holm-adjusted across the
 * benchmarks, as timing). Reports written before per-batch B/op was recorded are judged on the threshold alone.
 */
import { holm, type MannWhitneyResult, mannWhitney, median } from './statistics/index.js';
import type { BenchmarkResult } from './types.js';

const HEAP_RELATIVE = 0.02;
const HEAP_ABSOLUTE = 64;

/** Heap verdict: only `regression` fails the gate. */
export type HeapVerdict = 'same' | 'improvement' | 'regression' | 'missing';

/** One benchmark's heap comparison (B/op). */
export interface HeapComparison {
  /** Old and new B/op (median across processes). */
  old: number | null;
  new: number | null;
  /** new − old, B/op. */
  deltaBytes: number | null;
  /** The change allowed without a verdict: max(2% of old, 64 B). */
  allowedBytes: number | null;
  /** The two sides' process-to-process ranges of B/op, added; null when either side has no per-batch record. */
  spreadBytes: number | null;
  /** Mann-Whitney on the per-batch B/op (new against old), null when not run (deterministic, or no record). */
  test: (MannWhitneyResult & { pAdjusted: number }) | null;
  verdict: HeapVerdict;
}

/** With this many processes or more, the one farthest from the others is left out of the spread. */
const SPREAD_OUTLIER_FROM = 4;

/**
 * The process-to-process spread of one side: the range of its per-process B/op medians. From four processes on,
 * the process farthest from the side's median is left out: on Node 24 one process in a few allocates several
 * times more for its whole life (seen: 301 KB/op among 60 KB/op ones), and one such process would otherwise
 * hide any change.
 */
function range(processes: readonly number[][]): number {
  const medians = processes.map((values) => median(values));
  if (medians.length >= SPREAD_OUTLIER_FROM) {
    const center = median(medians);
    const farthest = medians.reduce(
      (far, m, i) => (Math.abs(m - center) > Math.abs((medians[far] as number) - center) ? i : far),
      0,
    );
    medians.splice(farthest, 1);
  }
  return Math.max(...medians) - Math.min(...medians);
}

function deterministic(processes: readonly number[][]): boolean {
  const first = processes[0]?.[0];
  return processes.every((values) => values.every((value) => value === first));
}

interface Pair {
  old: BenchmarkResult | undefined;
  new: BenchmarkResult | undefined;
}

/** Judges the heap of each pair (same order); `alpha` is the significance level after Holm's correction. */
export function compareHeaps(pairs: readonly Pair[], alpha: number): HeapComparison[] {
  const prepared = pairs.map((pair) => {
    const oldBytes = pair.old?.heapBytesPerOp ?? null;
    const newBytes = pair.new?.heapBytesPerOp ?? null;
    const oldSamples = pair.old?.heapSamples?.filter((values) => values.length > 0) ?? [];
    const newSamples = pair.new?.heapSamples?.filter((values) => values.length > 0) ?? [];
    const recorded = oldSamples.length > 0 && newSamples.length > 0;
    const exact = recorded && deterministic(oldSamples) && deterministic(newSamples);
    const test = recorded && !exact ? mannWhitney(newSamples.flat(), oldSamples.flat()) : null;
    const spreadBytes = recorded ? range(oldSamples) + range(newSamples) : null;
    return { oldBytes, newBytes, test, spreadBytes };
  });
  const tested = prepared.flatMap((p, i) => (p.test ? [{ i, p: p.test.p }] : []));
  const adjusted = new Map(holm(tested.map((t) => t.p)).map((p, k) => [tested[k]!.i, p]));

  return prepared.map(({ oldBytes, newBytes, test, spreadBytes }, i): HeapComparison => {
    if (oldBytes === null || newBytes === null)
      return {
        old: oldBytes,
        new: newBytes,
        deltaBytes: null,
        allowedBytes: null,
        spreadBytes: null,
        test: null,
        verdict: 'missing',
      };
    const allowedBytes = Math.max(oldBytes * HEAP_RELATIVE, HEAP_ABSOLUTE);
    const deltaBytes = newBytes - oldBytes;
    const withTest = test ? { ...test, pAdjusted: adjusted.get(i)! } : null;
    const beyondNoise =
      spreadBytes === null ||
      (Math.abs(deltaBytes) > spreadBytes && (!withTest || withTest.pAdjusted < alpha));
    let verdict: HeapVerdict = 'same';
    if (beyondNoise && deltaBytes > allowedBytes) verdict = 'regression';
    else if (beyondNoise && deltaBytes < -allowedBytes) verdict = 'improvement';
    return { old: oldBytes, new: newBytes, deltaBytes, allowedBytes, spreadBytes, test: withTest, verdict };
  });
}
