/**
 * An HDR histogram (integer microseconds) as an OpenTelemetry exponential histogram point (seconds). Each HDR
 * bucket's count goes, whole, into the exponential bucket holding that HDR bucket's middle value: the counts are
 * exact, and a response whose latency lies within the HDR resolution (0.1%) of an exponential bucket boundary may
 * be counted in the neighbouring bucket. The scale is the finest up to 8 (Prometheus native histograms' finest)
 * whose buckets span the distribution in at most 160 (the OpenTelemetry SDK's default size).
 */
import type { ExponentialHistogram } from '@opentelemetry/sdk-metrics';
import type { JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from '../load/histogram.js';

/** The finest scale used (bucket bounds grow by 2^(2^-8), 0.27%). */
export const MAX_SCALE = 8;
/** The most buckets a point has. */
export const MAX_BUCKETS = 160;
const SECONDS_PER_US = 1e-6;

/**
 * Converts a JS (merging) HDR histogram of microseconds to an exponential histogram of seconds.
 * @example toExponentialHistogram(decoded).count === decoded.totalCount
 */
export function toExponentialHistogram(histogram: Histogram): ExponentialHistogram {
  const h = histogram as unknown as JsHistogram;
  const values: number[] = [];
  const counts: number[] = [];
  let sum = 0;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    const value = h.medianEquivalentValue(h.valueFromIndex(i)) * SECONDS_PER_US;
    values.push(value);
    counts.push(count);
    sum += value * count;
  }
  const empty = { offset: 0, bucketCounts: [] };
  if (values.length === 0)
    return { count: 0, sum: 0, scale: MAX_SCALE, zeroCount: 0, positive: empty, negative: empty };
  const lowest = values[0] as number;
  const highest = values[values.length - 1] as number;
  let scale = MAX_SCALE;
  while (bucketIndex(highest, scale) - bucketIndex(lowest, scale) + 1 > MAX_BUCKETS) scale--;
  const offset = bucketIndex(lowest, scale);
  const bucketCounts = new Array<number>(bucketIndex(highest, scale) - offset + 1).fill(0);
  values.forEach((value, i) => {
    (bucketCounts[bucketIndex(value, scale) - offset] as number) += counts[i] as number;
  });
  return {
    count: counts.reduce((a, b) => a + b, 0),
    sum,
    scale,
    zeroCount: 0,
    positive: { offset, bucketCounts },
    negative: empty,
    min: h.minNonZeroValue * SECONDS_PER_US,
    max: h.maxValue * SECONDS_PER_US,
  };
}

/** The index of the bucket (base^i, base^(i+1)] holding `value` at `scale`, base = 2^(2^-scale). */
export function bucketIndex(value: number, scale: number): number {
  return Math.ceil(Math.log2(value) * 2 ** scale) - 1;
}
