/**
 * k6-style thresholds in CLI form — `p99<50ms`, `p50<=10ms`, `errors<1%`, `rps>1000` — parsed once and
 * evaluated against a result. `headroom limits` reuses the same grammar for `--slo`.
 */
import { UsageError } from '../errors.js';
import { parseDuration } from '../units/duration.js';
import { parseSi } from '../units/si.js';
import type { LatencySummary, LoadResult, ThresholdOutcome } from './types.js';

/** A latency statistic, the error rate (% of attempts) or the completed request rate. */
export type ThresholdMetric = keyof LatencySummary | 'errors' | 'rps';

/** A comparison a result must satisfy. */
export type ThresholdOp = '<' | '<=' | '>' | '>=';

/** A parsed threshold: `metric op limit`, with the limit in ms (latency), % (errors) or req/s (rps). */
export interface Threshold {
  expr: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  limit: number;
}

const LATENCY: Record<string, keyof LatencySummary> = {
  min: 'min',
  mean: 'mean',
  avg: 'mean',
  p50: 'p50',
  med: 'p50',
  p75: 'p75',
  p90: 'p90',
  p99: 'p99',
  p999: 'p999',
  'p99.9': 'p999',
  max: 'max',
};

const GRAMMAR = /^\s*([a-z][a-z0-9.]*)\s*(<=|>=|<|>)\s*(\S+)\s*$/i;

/**
 * Parses one threshold expression.
 * @throws UsageError naming the expression when it does not parse.
 * @example parseThreshold('p99<50ms') // { metric: 'p99', op: '<', limit: 50 }
 */
export function parseThreshold(expr: string): Threshold {
  const match = GRAMMAR.exec(expr);
  if (!match) throw new UsageError(`invalid threshold "${expr}" (use e.g. p99<50ms, errors<1%, rps>1000)`);
  const [, rawMetric = '', op = '<', rawValue = ''] = match;
  const name = rawMetric.toLowerCase();
  const latency = LATENCY[name];
  if (latency) {
    let limit: number;
    try {
      limit = parseDuration(rawValue);
    } catch {
      throw new UsageError(`invalid threshold "${expr}": "${rawValue}" is not a duration (e.g. 50ms)`);
    }
    return { expr, metric: latency, op: op as ThresholdOp, limit };
  }
  if (name === 'errors') {
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(rawValue);
    if (!percent)
      throw new UsageError(`invalid threshold "${expr}": give the error rate in %, e.g. errors<1%`);
    const limit = Number(percent[1]);
    if (limit > 100)
      throw new UsageError(`invalid threshold "${expr}": an error rate is at most 100%, got ${limit}%`);
    return { expr, metric: 'errors', op: op as ThresholdOp, limit };
  }
  if (name === 'rps') {
    const limit = parseSi(rawValue);
    if (!Number.isFinite(limit))
      throw new UsageError(`invalid threshold "${expr}": rps needs a number (e.g. 1000 or 1k)`);
    return { expr, metric: 'rps', op: op as ThresholdOp, limit };
  }
  throw new UsageError(
    `invalid threshold "${expr}": unknown metric "${rawMetric}" (p50…p999, mean, max, errors, rps)`,
  );
}

/** The error rate of a result in percent of attempts (responses plus requests that got none). */
export function errorRatePct(result: Pick<LoadResult, 'requests' | 'status'>): number {
  const { completed, errors } = result.requests;
  const { '4xx': c4, '5xx': c5 } = result.status;
  const noResponse = errors - c4 - c5;
  const attempts = completed + noResponse;
  return attempts > 0 ? (errors / attempts) * 100 : 0;
}

/** The value a threshold's metric has in a result (ms, %, or req/s). */
export function thresholdActual(threshold: Threshold, result: LoadResult): number {
  if (threshold.metric === 'errors') return errorRatePct(result);
  if (threshold.metric === 'rps') return result.throughput.rps;
  return result.latencyMs[threshold.metric];
}

/** Whether `actual` satisfies the threshold's comparison. */
export function thresholdHolds(threshold: Threshold, actual: number): boolean {
  switch (threshold.op) {
    case '<':
      return actual < threshold.limit;
    case '<=':
      return actual <= threshold.limit;
    case '>':
      return actual > threshold.limit;
    case '>=':
      return actual >= threshold.limit;
  }
}

/**
 * Evaluates thresholds (parsed or as text) against a result. A run with no completed response fails every
 * latency threshold: there is nothing to stand behind.
 */
export function evaluateThresholds(
  thresholds: (Threshold | string)[],
  result: LoadResult,
): ThresholdOutcome[] {
  return thresholds.map((t) => {
    const threshold = typeof t === 'string' ? parseThreshold(t) : t;
    const actual = thresholdActual(threshold, result);
    // Nothing to stand behind: no latency without a response, no error rate without an attempt.
    const measured =
      threshold.metric === 'rps' ||
      (threshold.metric === 'errors'
        ? result.requests.sent + result.requests.errors > 0
        : result.requests.completed > 0);
    return { expr: threshold.expr, ok: measured && thresholdHolds(threshold, actual), actual };
  });
}
