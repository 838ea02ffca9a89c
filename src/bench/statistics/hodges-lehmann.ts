/**
 * The Hodges-Lehmann estimate of the shift between two samples: the median of all pairwise differences
 * `y[j] − x[i]`. It is the estimator that goes with the Mann-Whitney test (robust to outliers, unlike a mean).
 */
import { median } from './median-interval.js';

/**
 * How much `y` is shifted from `x` (positive: `y` is larger).
 * @example hodgesLehmann([1.15, 0.88, 0.90, 0.74, 1.21], [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]) // 0.305
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[]): number {
  const differences: number[] = [];
  for (const b of y) for (const a of x) differences.push(b - a);
  return median(differences);
}
