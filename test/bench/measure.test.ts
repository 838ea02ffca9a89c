/** Calibration inside a benchmark process: `prepare` must not be fooled by one batch that only looked long. */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/bench/measure.js';
import type { RegisteredBench } from '../../src/bench/types.js';

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('prepare', () => {
  it('confirms the batch that ends calibration, so one stall does not leave N at 1', async () => {
    let calls = 0;
    const entry: RegisteredBench = {
      name: 'stalls-once',
      // The second call (the first timed batch, N = 1) stalls 20 ms, as a JIT compilation or a descheduling would.
      fn: () => {
        calls++;
        if (calls === 2) busyWait(20);
        return calls;
      },
      options: {},
    };
    const prepared = await prepare(entry, 5, 'wall');
    expect(prepared.n).toBeGreaterThan(1000);
    const [nsPerOp] = await prepared.sample(1);
    expect(nsPerOp).toBeLessThan(1000);
    await prepared.finish();
  });
});
