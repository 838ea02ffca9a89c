/**
 * The median of a sample with a distribution-free confidence interval from order statistics: the number of samples
 * below the true median is Binomial(n, ½), so [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎] covers it with probability 1 − 2·P(Bin ≤ k − 1).
 * We take the narrowest such interval whose coverage is at least the level asked for; when n is too small for that
 * (n < 6 at 95%) we return the full range and its true, lower coverage — never a level the data cannot support.
 */
import type { MedianInterval } from '../types.js';

/** The median of numbers (mean of the middle two for even n). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** P(Bin(n, ½) ≤ k). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n; // P(X = 0)
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/**
 * Median with its order-statistics interval at `level` (default 0.95).
 * @example medianInterval([…10 samples…]) // { median, low: x₍₂₎, high: x₍₉₎, confidence: 0.9785 }
 */
export function medianInterval(values: readonly number[], level = 0.95): MedianInterval {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN, confidence: 0 };
  let k = 1; // 1-based rank of the lower bound
  let confidence = 1 - 2 * binomialHalfCdf(n, 0);
  // Widen inwards while the next narrower interval still reaches the level.
  while (k + 1 <= n - k) {
    const narrower = 1 - 2 * binomialHalfCdf(n, k);
    if (narrower < level) break;
    k += 1;
    confidence = narrower;
  }
  return { median: median(sorted), low: sorted[k - 1]!, high: sorted[n - k]!, confidence };
}
