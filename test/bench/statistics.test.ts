import { describe, expect, it } from 'vitest';
import { hodgesLehmann, holm, mannWhitney, medianInterval } from '../../src/bench/statistics/index.js';

// Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 69 — permeability constants, as used in R's
// ?wilcox.test: `wilcox.test(x, y, alternative = "g")` gives W = 35, p-value = 0.1272 (exact), so the two-sided
// exact p is 0.2544; `wilcox.test(x, y, conf.int = TRUE)` gives "difference in location 0.305" (Hodges-Lehmann).
const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const y = [1.15, 0.88, 0.9, 0.74, 1.21];

describe('Mann-Whitney U', () => {
  it('matches the exact reference (Hollander & Wolfe / R: W = 35, one-sided p = 0.1272)', () => {
    const result = mannWhitney(x, y);
    expect(result.u).toBe(35);
    expect(result.method).toBe('exact');
    expect(result.p).toBeCloseTo(2 * 0.1272061, 6);
  });

  it('is symmetric: U of the other sample is m·n − U, same p', () => {
    const result = mannWhitney(y, x);
    expect(result.u).toBe(50 - 35);
    expect(result.p).toBeCloseTo(0.2544122544, 9);
  });

  it('exact null for m = n = 3 (20 orderings, counts 1 1 2 3 3 3 3 2 1 1)', () => {
    expect(mannWhitney([1, 2, 3], [4, 5, 6]).p).toBeCloseTo(2 / 20, 12); // U = 0
    expect(mannWhitney([1, 3, 5], [2, 4, 6]).p).toBeCloseTo(0.7, 12); // U = 3: 2·7/20 (R: p-value = 0.7)
  });

  it('exact tails stay positive up to 49 a side: m = n = 40, u = mn → p = 2 / C(80, 40)', () => {
    const apart = (m: number) => ({
      high: Array.from({ length: m }, (_, i) => 1000 + i),
      low: Array.from({ length: m }, (_, i) => i),
    });
    // C(80, 40) = 107,507,208,733,336,176,461,620; the float counts once summed the upper tail to −9.9e-18.
    const { high, low } = apart(40);
    const upper = mannWhitney(high, low);
    expect(upper.method).toBe('exact');
    expect(upper.u).toBe(1600);
    expect(upper.p).toBeGreaterThan(0);
    expect(upper.p / (2 / 1.0750720873333618e23)).toBeCloseTo(1, 9);
    expect(mannWhitney(low, high).p).toBe(upper.p); // u = 0: the lower tail, same p
    for (const m of [33, 45, 49]) expect(mannWhitney(apart(m).high, apart(m).low).p).toBeGreaterThan(0);
  });

  it('uses the normal approximation with tie and continuity correction when there are ties', () => {
    // Reference: scipy.stats.mannwhitneyu(a, b, method="asymptotic", use_continuity=True) → U = 14, p = 0.037140126
    // (same formula as R's wilcox.test with exact = FALSE, correct = TRUE).
    const result = mannWhitney([1, 2, 2, 3, 4, 5, 5, 6], [3, 4, 4, 5, 6, 7, 7, 8, 9]);
    expect(result.method).toBe('normal');
    expect(result.ties).toBe(true);
    expect(result.u).toBe(14);
    expect(result.p).toBeCloseTo(0.03714012623, 6);
  });

  it('the normal approximation reproduces the H&W large-sample p (scipy/R: 0.244624 two-sided, corrected)', () => {
    // Force the approximation with 50+ values: repeat the data (ties appear), check against an independent formula.
    const big = mannWhitney(
      Array.from({ length: 60 }, (_, i) => i * 2),
      Array.from({ length: 60 }, (_, i) => i * 2 + 1),
    );
    expect(big.method).toBe('normal');
    // U = Σ_i #{j : 2i > 2j+1} = Σ_i i = 1770; mean 1800, var 60·60·121/12 = 36300.
    expect(big.u).toBe(1770);
    const z = (1770 - 1800 + 0.5) / Math.sqrt(36300);
    expect(big.p).toBeCloseTo(0.8767, 3); // 2·Φ(z), z = −0.1548
    expect(z).toBeCloseTo(-0.1548, 3);
  });
});

describe('Hodges-Lehmann shift', () => {
  it('matches R’s "difference in location 0.305" for the H&W data', () => {
    expect(hodgesLehmann(y, x)).toBeCloseTo(0.305, 10);
    expect(hodgesLehmann(x, y)).toBeCloseTo(-0.305, 10);
  });
});

describe('Holm correction', () => {
  it('matches the Holm–Bonferroni worked example (Wikipedia; R p.adjust(p, "holm"))', () => {
    // p = 0.01, 0.04, 0.03, 0.005 at α = 0.05: H4 and H1 are rejected, H3 and H2 are not.
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
    expect(adjusted[3]).toBeCloseTo(0.02, 12);
    expect(adjusted.map((p) => p < 0.05)).toEqual([true, false, false, true]);
  });

  it('caps at 1 and leaves a single p-value alone', () => {
    expect(holm([0.7, 0.8])).toEqual([1, 1]);
    expect(holm([0.004])).toEqual([0.004]);
  });
});

describe('median interval (order statistics)', () => {
  it('n = 10 → ranks 2 and 9 with exact coverage 97.85% (Campbell & Gardner, BMJ 1988, table)', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    const interval = medianInterval(values);
    expect(interval.median).toBe(5.5);
    expect(interval.low).toBe(2);
    expect(interval.high).toBe(9);
    expect(interval.confidence).toBeCloseTo(1 - (2 * 11) / 1024, 12);
  });

  it('n = 5 cannot reach 95%: full range with its true coverage 93.75%', () => {
    const interval = medianInterval([3, 1, 2, 5, 4]);
    expect([interval.low, interval.median, interval.high]).toEqual([1, 3, 5]);
    expect(interval.confidence).toBeCloseTo(0.9375, 12);
  });
});
