/**
 * Heap gate honesty on independent processes, as users compare runs from two CI jobs: `work/sortCopy` sorts a copy
 * of 2,000 random integers drawn anew in every process, so its B/op moves by a few percent from one process to the
 * next on identical code. Judged as `bench compare` judges two runs (five processes a side, as a run records), A/A
 * almost never fails, and 20% more bytes per op (HEADROOM_FIXTURE_ALLOC=1.2) is flagged.
 *
 * Heap-only processes (no timed samples) keep it fast: 10 of the code as is, 5 of the +20% variant. Every way of
 * splitting the ten into two runs of five is compared, both ways round (252 A/A comparisons), and the variant's
 * five against every five of the ten (252 more): comparisons share processes, but the two sides of one never do.
 * Every split includes the most lopsided one (the five lowest against the five highest), which the gate flags when
 * the five highest are the new side and 2% apart: a gate that lets the sides' processes overlap flags more, as B/op
 * falls in a few discrete modes (this sort's: 50.2–55.1 KB on Node 20, 48.6/50.7/51.5/52.2 KB on Node 24) and five
 * processes of one mode look like no spread at all — such a rule failed this bound on 5 of 252 splits in a run on
 * Node 20 and 3 on Node 24. So A/A is held to at most 1% of the splits (the gate's guarantee: at most that one);
 * the 2% rule alone once failed 21 of the 252 (and 21 of the 90 pairs of single processes, as one run used to
 * measure).
 */
import { describe, expect, it } from 'vitest';
import { compareReports } from '../../src/bench/compare.js';
import type { Measurement } from '../../src/bench/measure.js';
import { newReport } from '../../src/bench/run.js';
import { measureHeapInChildren } from '../../src/bench/sampling.js';
import { median } from '../../src/bench/statistics/index.js';
import { summarise } from '../../src/bench/summarise.js';
import type { BenchReport } from '../../src/bench/types.js';

const bench = { file: 'test/bench/fixtures/work.bench.ts', name: 'work/sortCopy', tags: [] };
const settings = { timeMs: 10, count: 0, clock: 'cpu' as const };
/** Warm-up batch before the heap pass: about 25 ms of sorting. */
const N = 100;
const SIDE = 5;

async function processes(count: number, alloc: string): Promise<Measurement[]> {
  const side = { cwd: process.cwd(), env: { HEADROOM_FIXTURE_ALLOC: alloc } };
  return measureHeapInChildren(bench, settings, side, N, count);
}

/** One report's stamp for all 504 comparisons: `newReport` runs git twice, which took 30 of this file's 43 s. */
const stamp = newReport(process.cwd(), settings);

function reportOf(parts: Measurement[]): BenchReport {
  return { ...stamp, benchmarks: [summarise(bench, parts)] };
}

/** Every subset of `size` indices out of 0…n−1. */
function subsets(n: number, size: number): number[][] {
  if (size === 0) return [[]];
  if (n < size) return [];
  return [...subsets(n - 1, size), ...subsets(n - 1, size - 1).map((s) => [...s, n - 1])];
}

describe('heap gate honesty (independent processes, 5 a side)', () => {
  it('A/A fails in ≤ 1% of splits though B/op moves between processes; +20% B/op is flagged', {
    timeout: 180_000,
  }, async () => {
    const same = await processes(2 * SIDE, '1.00');
    const grown = await processes(SIDE, '1.20');
    expect([same.length, grown.length]).toEqual([2 * SIDE, SIDE]);
    const verdict = (older: Measurement[], newer: Measurement[]) => {
      const result = compareReports(reportOf(older), reportOf(newer));
      return { ok: result.ok, ...result.benchmarks[0]!.heap };
    };
    const aa = subsets(2 * SIDE, SIDE).map((pick) => {
      const chosen = new Set(pick);
      return verdict(
        same.filter((_, i) => chosen.has(i)),
        same.filter((_, i) => !chosen.has(i)),
      );
    });
    const plus20 = subsets(2 * SIDE, SIDE).map((pick) =>
      verdict(
        pick.map((i) => same[i]!),
        grown,
      ),
    );
    const perProcess = (list: Measurement[]) => list.map((m) => Math.round(median(m.heapSamples))).join(' ');
    const percent = (list: typeof aa) => list.map((v) => (v.deltaBytes! / v.old!) * 100);
    const range = (values: number[]) =>
      `${Math.min(...values).toFixed(1)}…${Math.max(...values).toFixed(1)}%`;
    const flagged = plus20.filter((v) => v.verdict === 'regression').length;
    const summary =
      `B/op per process: ${perProcess(same)} | +20%: ${perProcess(grown)}\n` +
      `A/A: ${aa.length} comparisons, delta ${range(percent(aa))}, ${aa.filter((v) => !v.ok).length} failed; ` +
      `+20%: delta ${range(percent(plus20))}, ${flagged}/${plus20.length} flagged`;
    console.log(summary);
    // The premise: identical code allocates differently from process to process (B/op falls in a few modes about
    // 0.5–2% apart), so a rule that ignores the spread between processes has something to trip on. Whether ten
    // processes span more than 2% depends on the modes they land in (one CI run: 50.2…51.1 KB, 1.7%), so the
    // premise asked is that they differ by more than the 0.1% within which one process's batches agree.
    const medians = same.map((m) => median(m.heapSamples));
    expect(Math.max(...medians) / Math.min(...medians), summary).toBeGreaterThan(1.005);
    expect(aa.filter((v) => !v.ok).length, summary).toBeLessThanOrEqual(aa.length / 100);
    expect(flagged / plus20.length, summary).toBeGreaterThanOrEqual(0.95);
  });
});
