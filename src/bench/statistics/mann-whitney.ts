/**
 * The two-sided Mann-Whitney U test (Wilcoxon rank-sum), as benchstat uses to say whether two sets of samples differ.
 * Method, as R's `wilcox.test`: the **exact** null distribution when both samples are smaller than 50 and there are
 * no ties; otherwise the **normal approximation with tie correction and continuity correction**. The result says
 * which was used.
 */
import { normalUpperTail } from './normal.js';

/** The outcome of a Mann-Whitney U test. */
export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (x, y) with x > y, ties counting ½ (R's W). */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** How p was computed. */
  method: 'exact' | 'normal';
  /** Whether any values were tied (which forces the normal approximation). */
  ties: boolean;
}

/** Exact: the null distribution of U for sizes m and n — the coefficients of the Gaussian binomial [m+n choose m]_q. */
function exactCounts(m: number, n: number): number[] {
  const size = m * n + 1;
  let poly = new Array<number>(size).fill(0);
  poly[0] = 1;
  for (let i = 1; i <= m; i++) {
    // Multiply by (1 − q^(n+i)), then divide by (1 − q^i): afterwards poly = [n+i choose i]_q.
    const next = poly.slice();
    for (let d = size - 1; d >= n + i; d--) next[d]! -= poly[d - n - i]!;
    for (let d = i; d < size; d++) next[d]! += next[d - i]!;
    poly = next;
  }
  return poly;
}

/**
 * Two-sided exact p: twice the smaller tail. The counts are floats (C(80, 40) ≈ 1e23 is past 2^53) built by
 * subtracting large numbers, so the upper coefficients carry cancellation error — summed, the upper tail of
 * m = n = 40 came out −9.9e-18. U's null distribution is symmetric (count(d) = count(mn − d)), so both tails are
 * read from the lower, accurate side: P(U ≥ u) = P(U ≤ mn − u).
 */
function exactTwoSided(u: number, m: number, n: number): number {
  const counts = exactCounts(m, n);
  const tailEnd = Math.min(u, m * n - u);
  let total = 0;
  let tail = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[Math.min(d, m * n - d)]!;
    total += c;
    if (d <= tailEnd) tail += c;
  }
  return Math.min(1, (2 * tail) / total);
}

/**
 * Two-sided Mann-Whitney U test of `x` against `y`.
 * @example mannWhitney([0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46], [1.15, 0.88, 0.90, 0.74, 1.21])
 * // { u: 35, p: 0.2544, method: 'exact', ties: false }
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitney: both samples need at least one value');
  const all = [...x.map((value) => ({ value, first: true })), ...y.map((value) => ({ value, first: false }))];
  all.sort((a, b) => a.value - b.value);
  // Mid-ranks, and the tie groups' sizes for the variance correction.
  let rankSumX = 0;
  let tieTerm = 0;
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j++;
    const midRank = (i + j + 2) / 2;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.first) rankSumX += midRank;
    i = j + 1;
  }
  const u = rankSumX - (m * (m + 1)) / 2;
  const ties = tieTerm > 0;
  if (!ties && m < 50 && n < 50) return { u, p: exactTwoSided(u, m, n), method: 'exact', ties };
  const total = m + n;
  const mean = (m * n) / 2;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal', ties };
  const diff = u - mean;
  const z = (diff - 0.5 * Math.sign(diff)) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))), method: 'normal', ties };
}
