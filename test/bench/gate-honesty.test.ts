/**
 * Gate honesty, end to end through the real runner (fresh `--expose-gc` processes) and the real comparison:
 * A/A never fails, a 20% slowdown (HEADROOM_FIXTURE_SLOWDOWN=1.2) is flagged in ≥ 19 of 20, a 1% change never fails.
 * To stay fast, each round starts one process per variant (A, A', +20%, +1%) and samples them in lockstep, as
 * `bench ab` does; each round yields five 10-sample comparisons per scenario, so 20 trials cost 16 short processes.
 */
import { describe, expect, it } from 'vitest';
import { type CompareResult, compareReports } from '../../src/bench/compare.js';
import type { Measurement } from '../../src/bench/measure.js';
import { newReport } from '../../src/bench/run.js';
import { measureInterleaved } from '../../src/bench/sampling.js';
import { summarise } from '../../src/bench/summarise.js';
import type { BenchReport } from '../../src/bench/types.js';

const bench = { file: 'test/bench/fixtures/work.bench.ts', name: 'work/loop', tags: [] };
const ROUNDS = 4;
const PER_TRIAL = 20;
const TRIALS_PER_ROUND = 5;
// CPU time: the fixture is CPU-bound, and the shared 2-core machine is often overloaded by other test files.
const settings = { timeMs: 5, count: TRIALS_PER_ROUND * PER_TRIAL, clock: 'cpu' as const };
const variants = { a: '1', aPrime: '1', slower20: '1.2', slower1: '1.01' } as const;
type Variant = keyof typeof variants;

function reportOf(samples: Measurement): BenchReport {
  const report = newReport(process.cwd(), { ...settings, count: PER_TRIAL });
  report.benchmarks.push(summarise(bench, [samples]));
  return report;
}

function chunk(m: Measurement, part: number): Measurement {
  const range = [part * PER_TRIAL, (part + 1) * PER_TRIAL] as const;
  return { ...m, samples: m.samples.slice(...range), iterations: m.iterations.slice(...range) };
}

describe('gate honesty (20 trials per scenario)', () => {
  // 16 processes, 1,600 samples of 5 ms: about 25 s on a quiet 2-core machine; minutes on an overloaded one.
  it('A/A never fails, +20% is flagged ≥ 19/20, +1% never fails', { timeout: 300_000 }, async () => {
    const trials: Record<Exclude<Variant, 'a'>, CompareResult[]> = { aPrime: [], slower20: [], slower1: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const names = Object.keys(variants) as Variant[];
      const sides = names.map((name) => ({
        cwd: process.cwd(),
        env: { HEADROOM_FIXTURE_SLOWDOWN: variants[name] },
      }));
      const outcomes = await measureInterleaved(bench, settings, sides);
      const measured = {} as Record<Variant, Measurement>;
      names.forEach((name, i) => {
        const outcome = outcomes[i]!;
        if (!outcome.ok) throw new Error(outcome.error);
        measured[name] = outcome.measurement;
      });
      for (let part = 0; part < TRIALS_PER_ROUND; part++) {
        const base = reportOf(chunk(measured.a, part));
        for (const variant of ['aPrime', 'slower20', 'slower1'] as const) {
          trials[variant].push(compareReports(base, reportOf(chunk(measured[variant], part))));
        }
      }
    }
    const failures = (list: CompareResult[]) => list.filter((r) => !r.ok).length;
    const deltas = (list: CompareResult[]) =>
      list.map((r) => r.benchmarks[0]!.deltaPct!.toFixed(1)).join(' ');
    const summary = `A/A ${deltas(trials.aPrime)}\n+20% ${deltas(trials.slower20)}\n+1% ${deltas(trials.slower1)}`;
    console.log(summary);
    expect(trials.aPrime).toHaveLength(20);
    expect(failures(trials.aPrime), summary).toBe(0);
    expect(failures(trials.slower20), summary).toBeGreaterThanOrEqual(19);
    expect(trials.slower20.every((r) => r.benchmarks[0]!.time !== 'faster')).toBe(true);
    expect(failures(trials.slower1), summary).toBe(0);
    // The 1% change is reported as `~` or as a (non-failing) difference, never as a confirmed regression.
    expect(trials.slower1.every((r) => r.benchmarks[0]!.time !== 'regression')).toBe(true);
  });
});
