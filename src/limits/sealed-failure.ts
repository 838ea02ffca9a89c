/**
 * A step whose failure is already certain ends early: once more responses broke a latency SLO's bound than its
 * percentile allows over the whole step (say 1% of the requests the step will send, for a p99), or more requests
 * failed than the error SLO allows of them, no later response can make the step pass — and its own figures, over
 * the shorter window, break the same SLO. A failing step near the knee then costs a second or two instead of its
 * full length; a passing step always runs in full.
 */
import { addEncoded, mergingHistogram } from '../load/histogram.js';
import { parseThreshold } from '../load/thresholds.js';
import type { LoadProgress } from '../load/types.js';

/** Watches a step's live figures; `check` returns the SLO already broken for good, or null. */
export interface SealedFailureWatch {
  check(progress: Pick<LoadProgress, 'latencyHistogram' | 'errorsTotal'>): string | null;
}

const QUANTILE: Record<string, number> = { p50: 0.5, p75: 0.75, p90: 0.9, p99: 0.99, p999: 0.999, max: 1 };

/**
 * Watches a step that will send `planned` measured requests (open model: rate × duration) against `slo`. Only
 * upper bounds on a percentile or `max` (`p99<50ms`) and on errors (`errors<1%`) can be sealed; others are left to
 * the step's end.
 */
export function watchSealedFailure(slo: readonly string[], planned: number): SealedFailureWatch {
  const latency = slo
    .map((expr) => parseThreshold(expr))
    .filter((t) => t.op.startsWith('<') && t.metric in QUANTILE)
    .map((t) => ({
      expr: t.expr,
      limitMs: t.limit,
      allowed: (1 - (QUANTILE[t.metric] as number)) * planned,
    }));
  const errors = slo
    .map((expr) => parseThreshold(expr))
    .filter((t) => t.op.startsWith('<') && t.metric === 'errors')
    .map((t) => ({ expr: t.expr, allowed: (t.limit / 100) * planned }));
  const merged = latency.length > 0 ? mergingHistogram() : null;
  return {
    check(progress) {
      for (const e of errors) if (progress.errorsTotal > e.allowed) return e.expr;
      if (!merged) return null;
      addEncoded(merged, progress.latencyHistogram);
      const total = merged.totalCount;
      for (const t of latency) {
        // More than `allowed` responses above the bound: the value below which all but `allowed` of them lie.
        if (total <= t.allowed) continue;
        const percentile = 100 * (1 - t.allowed / total);
        if (merged.getValueAtPercentile(percentile) / 1000 > t.limitMs) return t.expr;
      }
      return null;
    },
  };
}
