/**
 * Adaptive step length: a latency percentile only means something with enough samples behind it (p99 needs
 * ~1,000, p99.9 ~10,000), so steps at low rates run longer — within bounds, so the search stays bounded.
 */

/** Samples a step should collect for the strictest percentile in the SLOs (at least 200, at most 10,000). */
export function samplesNeeded(slo: readonly string[]): number {
  let needed = 200;
  for (const expr of slo) {
    const match = /^\s*p(\d+(?:\.\d+)?)\b/i.exec(expr);
    if (!match) continue;
    const digits = match[1] as string;
    // p99 → 0.99, p999 → 0.999, p99.9 → 0.999, p50 → 0.5
    const quantile = digits.includes('.') ? Number(digits) / 100 : Number(`0.${digits}`);
    if (quantile > 0 && quantile < 1) needed = Math.max(needed, Math.ceil(10 / (1 - quantile)));
  }
  return Math.min(needed, 10_000);
}

/** Bounds for one kind of step. */
export interface StepBounds {
  minMs: number;
  maxMs: number;
}

/** The length of a step at `rate`: long enough for `samples`, clamped to `bounds`. */
export function stepLengthMs(rate: number, samples: number, bounds: StepBounds): number {
  const wanted = (samples / Math.max(rate, 1e-9)) * 1000;
  return Math.round(Math.min(bounds.maxMs, Math.max(bounds.minMs, wanted)));
}
