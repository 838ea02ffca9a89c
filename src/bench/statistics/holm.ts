/**
 * Holm's step-down correction (Holm 1979) for testing many benchmarks at once: it controls the chance of *any*
 * false alarm across the family without Bonferroni's loss of power. Returns adjusted p-values, as R's
 * `p.adjust(p, "holm")`: compare each with alpha directly.
 */

/**
 * Holm-adjusted p-values, in the input order.
 * @example holm([0.01, 0.04, 0.03, 0.005]) // [0.03, 0.06, 0.06, 0.02]
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
