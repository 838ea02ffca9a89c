/**
 * The heap half of `bench compare`: whether B/op changed, judged against its noise as timing is.
 *
 * A change counts only when it is larger than max(2%, 64 B) of the old B/op, beyond the process-to-process noise,
 * and either both sides are deterministic (every batch the same B/op, so the change is exact) or Mann-Whitney on
 * the per-batch B/op finds it significant (Holm-adjusted across the benchmarks, as timing). Beyond the noise: with
 * two or more processes a side, the sides do not overlap — every new process allocates more than every old one (a
 * benchmark over random data allocates 3–10% more or less from one process to the next, in a few discrete modes,
 * while batches of one process agree to 0.1%: the processes are the independent units) — alone when identical
 * code separates more rarely than alpha (5 a side: 1 in 252), else together with a change larger than the sides'
 * ranges of per-process B/op added; with one process on a side, that range rule alone. Reports written before
 * per-batch B/op was recorded are judged on the threshold alone.
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
  /**
   * The two sides' process-to-process ranges of B/op, added (shown beside the delta); null when either side has no
   * per-batch record.
   */
  spreadBytes: number | null;
  /** Mann-Whitney on the per-batch B/op (new against old), null when not run (deterministic, or no record). */
  test: (MannWhitneyResult & { pAdjusted: number }) | null;
  verdict: HeapVerdict;
}

/** Each process's B/op: the median of its batches. */
function perProcess(processes: readonly number[][]): number[] {
  return processes.map((values) => median(values));
}

/** The process-to-process spread of one side: the range of its per-process B/op. */
function range(medians: readonly number[]): number {
  return Math.max(...medians) - Math.min(...medians);
}

/**
 * Whether the sides' processes do not overlap: every new process above every old one (`1`), every new one below
 * (`-1`), or neither (`0`). With m and n processes, identical code separates one given way in 1 of C(m + n, n) ways
 * of dealing the processes to the sides (5 a side: 1/252 ≈ 0.4%), however B/op is distributed between processes —
 * a guarantee no estimate of the spread from five processes gives when B/op falls in a few discrete modes (a
 * sort over random data: processes at 48.6, 50.7, 51.5 and 52.2 KB/op). With one process a side it says nothing.
 */
function separation(older: readonly number[], newer: readonly number[]): 1 | -1 | 0 {
  if (Math.min(...newer) > Math.max(...older)) return 1;
  if (Math.max(...newer) < Math.min(...older)) return -1;
  return 0;
}

/** C(n, k), the number of ways to deal k of n processes to one side. */
function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
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
    const oldProcesses = perProcess(oldSamples);
    const newProcesses = perProcess(newSamples);
    const spreadBytes = recorded ? range(oldProcesses) + range(newProcesses) : null;
    // Processes are the independent units: with two or more a side they are compared; else the spread is used.
    const separated =
      oldProcesses.length >= 2 && newProcesses.length >= 2 ? separation(oldProcesses, newProcesses) : null;
    // Separation alone decides only when identical code separates more rarely than alpha (5 a side: 1/252).
    const rare =
      separated !== null &&
      1 / binomial(oldProcesses.length + newProcesses.length, newProcesses.length) < alpha;
    return { oldBytes, newBytes, test, spreadBytes, separated, rare };
  });
  const tested = prepared.flatMap((p, i) => (p.test ? [{ i, p: p.test.p }] : []));
  const adjusted = new Map(holm(tested.map((t) => t.p)).map((p, k) => [tested[k]!.i, p]));

  return prepared.map(({ oldBytes, newBytes, test, spreadBytes, separated, rare }, i): HeapComparison => {
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
    const significant = !withTest || withTest.pAdjusted < alpha;
    const beyondNoise = (direction: 1 | -1) =>
      spreadBytes === null ||
      (significant &&
        (separated === null || separated === direction) &&
        (rare || Math.abs(deltaBytes) > spreadBytes));
    let verdict: HeapVerdict = 'same';
    if (deltaBytes > allowedBytes && beyondNoise(1)) verdict = 'regression';
    else if (deltaBytes < -allowedBytes && beyondNoise(-1)) verdict = 'improvement';
    return { old: oldBytes, new: newBytes, deltaBytes, allowedBytes, spreadBytes, test: withTest, verdict };
  });
}
