/**
 * One second of a run summed over the parts that measured it: the coordinator sums its threads' ticks into the
 * run's timeline, the collector its agents' pushes into the merged live view. Counts and errors by kind are
 * summed, the latency histograms merged exactly, and the second's rate and percentiles read from the sum.
 */
import { addEncoded, type Histogram, mergingHistogram } from './histogram.js';

/** What one part (a thread's tick, an agent's push) measured of a second. */
export interface SecondPart {
  /** The second's length in seconds (the last may be partial). */
  seconds: number;
  sent: number;
  completed: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** The part's latency histogram, encoded (`encodeHistogram`). */
  latency: string;
}

/** One second summed over its parts so far. */
export interface SecondSum {
  /** The longest part's length, in seconds. */
  seconds: number;
  sent: number;
  completed: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** Every part's samples. */
  latency: Histogram;
}

/** A second with no part yet. */
export function emptySecond(): SecondSum {
  return { seconds: 0, sent: 0, completed: 0, errors: 0, errorsByKind: {}, latency: mergingHistogram() };
}

/** Adds one part's measurements to `sum`. */
export function addSecondPart(sum: SecondSum, part: SecondPart): void {
  sum.seconds = Math.max(sum.seconds, part.seconds);
  sum.sent += part.sent;
  sum.completed += part.completed;
  sum.errors += part.errors;
  addCounts(sum.errorsByKind, part.errorsByKind);
  addEncoded(sum.latency, part.latency);
}

/** Adds each count of `from` to `into` (errors by kind, responses by name). */
export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/** The second's rate (completed per second, unrounded) and its exact latency percentiles in ms. */
export function secondFigures(sum: SecondSum): { rps: number; p50Ms: number; p90Ms: number; p99Ms: number } {
  return {
    rps: sum.seconds > 0 ? sum.completed / sum.seconds : 0,
    p50Ms: sum.latency.getValueAtPercentile(50) / 1000,
    p90Ms: sum.latency.getValueAtPercentile(90) / 1000,
    p99Ms: sum.latency.getValueAtPercentile(99) / 1000,
  };
}
