/**
 * The SLOs a search holds the target to, in `headroom load`'s threshold grammar. Without any, the default is
 * `p99<100ms` + `errors<1%`; without an error SLO, `errors<1%` is added — a rate served with errors is not
 * sustainable. `rps` thresholds make no sense here (the search chooses the rate) and are refused.
 */
import { UsageError } from '../errors.js';
import { parseThreshold } from '../load/thresholds.js';

/** SLOs used when none are given. */
export const DEFAULT_SLO = ['p99<100ms', 'errors<1%'] as const;

/**
 * Validates and completes the SLO list.
 * @throws UsageError for an expression the threshold grammar rejects, or an `rps` SLO.
 */
export function normalizeSlo(slo: readonly string[] | undefined): string[] {
  if (!slo || slo.length === 0) return [...DEFAULT_SLO];
  const parsed = slo.map((expr) => parseThreshold(expr.trim()));
  if (parsed.some((t) => t.metric === 'rps')) {
    throw new UsageError('cannot be an rps threshold: the search chooses the rate', { option: 'slo' });
  }
  const list = parsed.map((t) => t.expr);
  if (!parsed.some((t) => t.metric === 'errors')) list.push('errors<1%');
  return list;
}
