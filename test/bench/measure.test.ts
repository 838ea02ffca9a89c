/**
 * Inside a benchmark process: calibration must not be fooled by one batch that only looked long, nor the heap pass
 * by a reading of heapUsed that fell.
 */
import { describe, expect, it, vi } from 'vitest';
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

describe('heap pass', () => {
  it('a batch across which heapUsed fell is not the fixed cost: B/op stays exact', async () => {
    // A heap that grows by exactly 1,000 B per op, and falls by 300 KB once, across the first empty batch after the
    // first gc() — as heapUsed did on Node 24 in ≈ 3% of processes. Taken as the fixed cost, that −300 KB was added
    // back to every batch: the process read 301,000 B/op.
    let heap = 50_000_000;
    let readingsAfterGc = -1;
    const fakeGc = () => {
      if (readingsAfterGc < 0) readingsAfterGc = 0;
    };
    const memoryUsage = vi.spyOn(process, 'memoryUsage').mockImplementation(() => {
      if (readingsAfterGc >= 0 && ++readingsAfterGc === 2) heap -= 300_000;
      return { heapUsed: heap, heapTotal: heap, rss: heap, external: 0, arrayBuffers: 0 };
    });
    const withGc = globalThis as { gc?: () => void };
    const realGc = withGc.gc;
    withGc.gc = fakeGc;
    try {
      const entry: RegisteredBench = {
        name: 'thousand-bytes',
        fn: () => {
          heap += 1000;
        },
        options: {},
      };
      const prepared = await prepare(entry, 1, 'wall');
      const measured = await prepared.finish();
      expect(readingsAfterGc).toBeGreaterThan(2); // the drop happened
      expect(measured.samples.length).toBeGreaterThanOrEqual(3);
      expect(measured.bytesPerOp).toBe(1000);
    } finally {
      withGc.gc = realGc;
      memoryUsage.mockRestore();
    }
  });
});
