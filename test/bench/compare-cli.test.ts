/** `headroom bench compare`: verdicts and exit codes on synthetic reports (no benchmarks run). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareReports } from '../../src/bench/compare.js';
import { fingerprint } from '../../src/bench/environment.js';
import { summarise } from '../../src/bench/summarise.js';
import type { BenchReport } from '../../src/bench/types.js';
import { tempDir } from '../support/temp-dir.js';
import { around, headroom, syntheticReport } from './helpers.js';

const dir = tempDir('compare');
function file(name: string, report: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(report));
  return path;
}

const base = syntheticReport([
  { name: 'a', samples: around(100), heap: 64 },
  { name: 'b', samples: around(5000), heap: 1000 },
]);

describe('bench compare (engine)', () => {
  it('identical runs: ~ everywhere, ok', () => {
    const result = compareReports(base, base);
    expect(result.ok).toBe(true);
    expect(result.benchmarks.map((b) => b.time)).toEqual(['same', 'same']);
    expect(result.benchmarks[0]!.test!.method).toBe('normal'); // identical samples tie
  });

  it('20% slower and significant → regression; 5% slower and significant → slower, not failing', () => {
    const slower = syntheticReport([
      { name: 'a', samples: around(120), heap: 64 },
      { name: 'b', samples: around(5250), heap: 1000 },
    ]);
    const result = compareReports(base, slower);
    expect(result.benchmarks[0]!.time).toBe('regression');
    expect(result.benchmarks[0]!.deltaPct).toBeCloseTo(20, 0);
    expect(result.benchmarks[0]!.shiftPct).toBeCloseTo(20, 0);
    expect(result.benchmarks[0]!.test!.method).toBe('exact');
    expect(result.benchmarks[1]!.time).toBe('slower');
    expect(result.ok).toBe(false);
  });

  it('reports without per-batch B/op (older files): heap gate is max(+2%, +64 B) alone', () => {
    const grown = syntheticReport([
      { name: 'a', samples: around(100), heap: 64 + 64 }, // +64 B: allowed
      { name: 'b', samples: around(5000), heap: 1000 + 65 }, // +65 B > max(20, 64): regression
    ]);
    const result = compareReports(base, grown);
    expect(result.benchmarks.map((b) => b.heap.verdict)).toEqual(['same', 'regression']);
    expect(result.benchmarks.map((b) => b.time)).toEqual(['same', 'same']);
    expect(result.ok).toBe(false);
  });

  it('different environments: timings not gated, B/op still gated', () => {
    const other = { ...fingerprint(), cpu: 'Some Other CPU' };
    const slowerElsewhere = syntheticReport([{ name: 'a', samples: around(150), heap: 64 }], other);
    const result = compareReports(base, slowerElsewhere);
    expect(result.timingsGated).toBe(false);
    expect(result.benchmarks.find((b) => b.name === 'a')!.time).toBe('slower');
    expect(result.ok).toBe(true);
    const fatter = syntheticReport([{ name: 'a', samples: around(100), heap: 1000 }], other);
    expect(compareReports(base, fatter).ok).toBe(false);
  });

  it('fewer than 5 samples a side is underpowered, never a regression', () => {
    const few = syntheticReport([{ name: 'a', samples: around(100, 4) }]);
    const fewSlower = syntheticReport([{ name: 'a', samples: around(200, 4) }]);
    const result = compareReports(few, fewSlower);
    expect(result.benchmarks[0]!.time).toBe('underpowered');
    expect(result.ok).toBe(true);
  });

  it('Holm: one real regression among many benchmarks is still caught', () => {
    const names = Array.from({ length: 8 }, (_, i) => `n${i}`);
    const old = syntheticReport(names.map((name) => ({ name, samples: around(100) })));
    const now = syntheticReport(names.map((name, i) => ({ name, samples: around(i === 3 ? 130 : 100) })));
    const result = compareReports(old, now);
    expect(result.benchmarks.filter((b) => b.time === 'regression').map((b) => b.name)).toEqual(['n3']);
  });
});

/** One benchmark measured in rounds, as bench ab records it: 10 samples a round, round r around `centres[r]` ns/op. */
function inRounds(centres: number[]): BenchReport {
  const planned = { file: 'synthetic.bench.ts', name: 'r', tags: [] };
  const measured = centres.map((centre) => {
    const samples = around(centre);
    return { samples, iterations: samples.map(() => 1000), heapBytesPerOp: null, heapSamples: [] };
  });
  return { ...syntheticReport([]), benchmarks: [summarise(planned, measured)] };
}

describe('bench compare: rounds judged pairwise (bench ab)', () => {
  // A shared machine: each round of both sides ran at its own speed, 100 to 260 ns/op.
  const speeds = [100, 140, 180, 220, 260];

  it('+12% in every round: ~ when the rounds are pooled, a regression at 12% when paired', () => {
    const base = inRounds(speeds);
    const head = inRounds(speeds.map((s) => s * 1.12));
    expect(base.benchmarks[0]!.processIndex).toEqual(speeds.flatMap((_, r) => Array(10).fill(r)));
    const pooled = compareReports(base, head).benchmarks[0]!;
    expect(pooled.paired).toBe(false);
    expect(pooled.time).toBe('same');
    const paired = compareReports(base, head, { paired: true }).benchmarks[0]!;
    expect(paired.paired).toBe(true);
    expect(paired.time).toBe('regression');
    expect(paired.deltaPct).toBeCloseTo(12, 1);
    // The shift is in ns/op of the base: 12% of its pooled median (180).
    expect(paired.shiftNs! / base.benchmarks[0]!.summary.median).toBeCloseTo(0.12, 2);
  });

  it('A/A stays ~; sides that did not record the same processes are pooled', () => {
    const base = inRounds(speeds);
    expect(compareReports(base, inRounds(speeds.map((s) => s * 1.002)), { paired: true }).ok).toBe(true);
    const fewer = compareReports(base, inRounds(speeds.slice(0, 4).map((s) => s * 1.12)), { paired: true });
    expect(fewer.benchmarks[0]!.paired).toBe(false);
    const single = syntheticReport([{ name: 'r', samples: around(120) }]);
    expect(single.benchmarks[0]!.processIndex).toBeUndefined();
  });
});

/** Five processes (as a run records), seven batches each: B/op `perProcess[i]`, plus a jitter of `jitter` B. */
function processes(perProcess: number[], jitter = 0): number[][] {
  return perProcess.map((bytes) => Array.from({ length: 7 }, (_, i) => bytes + (((i * 3) % 7) - 3) * jitter));
}

function heapOf(older: number[][], newer: number[][]) {
  const result = compareReports(
    syntheticReport([{ name: 'h', samples: around(100), heapSamples: older }]),
    syntheticReport([{ name: 'h', samples: around(100), heapSamples: newer }]),
  );
  return { ok: result.ok, ...result.benchmarks[0]!.heap };
}

describe('bench compare: B/op against its noise', () => {
  it('deterministic allocation: +5% is a regression, −5% smaller; +1.5% or +60 B is within the floor', () => {
    const five = (bytes: number) => processes(Array(5).fill(bytes));
    const grown = heapOf(five(10_000), five(10_500));
    expect(grown).toMatchObject({
      verdict: 'regression',
      ok: false,
      deltaBytes: 500,
      spreadBytes: 0,
      test: null,
    });
    expect(heapOf(five(10_000), five(9_500)).verdict).toBe('improvement');
    expect(heapOf(five(20_000), five(20_300)).verdict).toBe('same'); // +1.5%
    expect(heapOf(five(1_000), five(1_060)).verdict).toBe('same'); // +6%, but +60 B: under the 64 B floor
  });

  it('B/op that moves between processes: +4% is within the spread (~), +20% beyond it (regression)', () => {
    // As a sort over random data: each process allocates 1–5% more or less than the next, each batch nearly the same.
    const spread = [50_000, 51_000, 52_500, 50_500, 51_500];
    const old = processes(spread, 10);
    const plus4 = heapOf(
      old,
      processes(
        spread.map((b) => b * 1.04 + 7),
        10,
      ),
    );
    expect(plus4.deltaBytes! / plus4.old!).toBeCloseTo(0.04, 2);
    expect(plus4.test!.pAdjusted).toBeLessThan(0.01); // the batches alone would call it significant
    expect(plus4.spreadBytes).toBeCloseTo(2500 + 2600, -1); // each side's range of per-process B/op, added
    expect(plus4).toMatchObject({ verdict: 'same', ok: true }); // the sides' processes overlap
    const plus20 = heapOf(
      old,
      processes(
        spread.map((b) => b * 1.2 + 7),
        10,
      ),
    );
    expect(plus20).toMatchObject({ verdict: 'regression', ok: false });
    // One new process far above the rest does not hide the +20%: every new process is above every old one.
    const withOutlier = heapOf(old, processes([...spread.slice(0, 4).map((b) => b * 1.2 + 7), 300_000], 10));
    expect(withOutlier).toMatchObject({ verdict: 'regression', ok: false });
  });

  it('B/op in discrete modes: overlapping processes are ~ however narrow each side is', () => {
    // As the sort on Node 24: processes at 48.6, 50.7, 51.5 or 52.2 KB/op. An A/A split that put four low-mode
    // processes on one side: each side's range without its farthest process is < 100 B while the medians are
    // 2.9 KB (6%) apart — a spread rule flagged it; the sides overlap (50,700 old > 50,690 new), so it is not.
    const lowMode = heapOf(
      processes([48_600, 48_605, 48_610, 48_615, 50_700], 10),
      processes([50_690, 51_500, 51_550, 51_560, 52_200], 10),
    );
    expect(lowMode.deltaBytes).toBeCloseTo(2940, -1);
    expect(lowMode.test!.pAdjusted).toBeLessThan(0.01); // the batches alone would call it significant
    expect(lowMode).toMatchObject({ verdict: 'same', ok: true });
    // Moved past the old side's highest process, the same growth is a regression.
    const past = heapOf(
      processes([48_600, 48_605, 48_610, 48_615, 50_700], 10),
      processes([50_710, 51_500, 51_550, 51_560, 52_200], 10),
    );
    expect(past).toMatchObject({ verdict: 'regression', ok: false });
    // Four a side separate by chance in 1 of 70 A/A splits, more often than alpha (1%): the growth must also
    // exceed the sides' ranges added (2,000 + 200 B here).
    const fourOld = processes([50_000, 50_100, 52_000, 50_050], 10);
    const fourWithin = heapOf(fourOld, processes([52_100, 52_200, 52_300, 52_150], 10));
    expect(fourWithin.deltaBytes).toBe(2100);
    expect(fourWithin).toMatchObject({ verdict: 'same', spreadBytes: 2200 });
    const fourBeyond = heapOf(fourOld, processes([54_100, 54_200, 54_300, 54_150], 10));
    expect(fourBeyond).toMatchObject({ verdict: 'regression', ok: false });
  });

  it('noisy batches, one process a side: a growth the test cannot tell from noise is ~', () => {
    const noisy = heapOf(
      [[1000, 1300, 900, 1200, 1100, 1050, 950]],
      [[1100, 1250, 1000, 1350, 1150, 1020, 1200]],
    );
    expect(noisy.deltaBytes).toBe(100);
    expect(noisy.test!.pAdjusted).toBeGreaterThan(0.01);
    expect(noisy.verdict).toBe('same');
    const clear = heapOf(
      [[1000, 1010, 990, 1005, 995, 1002, 998]],
      [[1100, 1110, 1090, 1105, 1095, 1102, 1098]],
    );
    expect(clear.verdict).toBe('regression');
  });
});

describe('bench compare (CLI exit codes)', () => {
  const oldPath = file('old.json', base);

  it('exit 0 and ~ for the same run', () => {
    const run = headroom(['bench', 'compare', oldPath, oldPath]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^a\s+.*~/m);
    expect(run.stdout).toContain('ok: no confirmed regression');
    expect(run.stdout).toMatch(/^B\/op\s+\S+\s+\S+\s+delta\s+spread\s+p \(Holm\)\s+verdict$/m);
  });

  it('exit 1 on a confirmed regression; --threshold 30% lets it pass', () => {
    const slower = file('slower.json', syntheticReport([{ name: 'a', samples: around(125), heap: 64 }]));
    const run = headroom(['bench', 'compare', oldPath, slower]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^a\s+.*\+25\.\d\d%.*REGRESSION/m);
    expect(headroom(['bench', 'compare', oldPath, slower, '--threshold', '30%']).code).toBe(0);
  });

  it('--json prints headroom.bench-compare/v1', () => {
    const run = headroom(['bench', 'compare', oldPath, oldPath, '--json']);
    const parsed = JSON.parse(run.stdout) as { schema: string; ok: boolean };
    expect(parsed.schema).toBe('headroom.bench-compare/v1');
    expect(parsed.ok).toBe(true);
  });

  it('exit 2 with one line for a missing file, a wrong file, a bad flag', () => {
    const missing = headroom(['bench', 'compare', oldPath, join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^headroom: cannot read .*missing\.json: no such file$/m);
    const wrong = headroom([
      'bench',
      'compare',
      oldPath,
      file('wrong.json', { schema: 'x' } as unknown as BenchReport),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('is not a headroom.bench/v1 report');
    expect(headroom(['bench', 'compare', oldPath, oldPath, '--alpha', '2']).code).toBe(2);
  });
});
