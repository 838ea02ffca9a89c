import { describe, expect, it } from 'vitest';
import { watchSealedFailure } from '../../src/limits/sealed-failure.js';
import { encodeHistogram, mergingHistogram, recordMs } from '../../src/load/histogram.js';

/** One second's encoded histogram: `n` responses of `ms` each, per entry. */
function second(...groups: [n: number, ms: number][]): string {
  const h = mergingHistogram();
  for (const [n, ms] of groups) for (let i = 0; i < n; i++) recordMs(h, ms);
  return encodeHistogram(h);
}

describe('a step whose failure is certain before its end', () => {
  it('is sealed once more responses broke the bound than the percentile allows of the whole step', () => {
    // 1000 requests planned, p99<50ms: 10 may be slower than 50 ms; the 11th seals the failure.
    const watch = watchSealedFailure(['p99<50ms', 'errors<1%'], 1000);
    expect(watch.check({ latencyHistogram: second([300, 10], [6, 80]), errorsTotal: 0 })).toBeNull();
    expect(watch.check({ latencyHistogram: second([300, 10], [4, 120]), errorsTotal: 0 })).toBeNull();
    expect(watch.check({ latencyHistogram: second([300, 10], [1, 60]), errorsTotal: 0 })).toBe('p99<50ms');
  });

  it('is sealed by errors beyond the share allowed of the whole step', () => {
    const watch = watchSealedFailure(['p99<50ms', 'errors<1%'], 2000);
    expect(watch.check({ latencyHistogram: second([500, 5]), errorsTotal: 20 })).toBeNull();
    expect(watch.check({ latencyHistogram: second([500, 5]), errorsTotal: 21 })).toBe('errors<1%');
  });

  it('seals a max bound at the first response above it, and never a mean or a lower bound', () => {
    const max = watchSealedFailure(['max<200ms'], 500);
    expect(max.check({ latencyHistogram: second([100, 150]), errorsTotal: 0 })).toBeNull();
    expect(max.check({ latencyHistogram: second([1, 250]), errorsTotal: 0 })).toBe('max<200ms');
    const mean = watchSealedFailure(['mean<10ms', 'p50>1ms'], 500);
    expect(mean.check({ latencyHistogram: second([400, 900]), errorsTotal: 0 })).toBeNull();
  });
});
