/**
 * The overload guard protects latency with no tuning: at 3× a fixture's capacity the requests it admits are served
 * within 2× the unloaded p99 (server side, from the access lines), and goodput stays ≥ 80% of the capacity
 * measured in the same test, with `ADAPTIVE_CONCURRENCY=on` and nothing else tuned. With the fixed `MAX_INFLIGHT=1000`
 * alone (`ADAPTIVE_CONCURRENCY=off`) the admitted requests queue in the fixture's pool and this fails by an order
 * of magnitude.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { type Child, spawnFixture } from './fixture-process.js';
import { waitFor } from './helpers.js';

const FIXTURE = 'test/service/fixtures/limited-resource.ts';

/** Server-side latencies (ms) of the 200s logged since line `from`. */
function admittedMs(child: Child, from: number): number[] {
  return child.lines
    .slice(from)
    .filter((l) => l.msg === 'request' && l.status === 200)
    .map((l) => Number(l.ms));
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

describe('adaptive overload guard', () => {
  it('at 3x capacity keeps the admitted p99 within 2x the unloaded p99 and goodput at 80% of capacity', async () => {
    const child = spawnFixture({ LOG_LEVEL: 'info', ADAPTIVE_CONCURRENCY: 'on' }, FIXTURE);
    try {
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'), 20_000);
      const url = `${String(listening.url)}/work`;
      // Capacity: twice as many closed-loop connections as the pool has slots keep every slot busy.
      await load({ url, connections: 8, threads: 1, duration: '500ms' }); // warm-up
      const saturated = await load({ url, connections: 16, threads: 1, duration: '1500ms' });
      const capacity = saturated.status['2xx'] / saturated.durationS;
      // Unloaded latency: an open model at a third of capacity.
      let from = child.lines.length;
      await load({ url, rate: Math.round(capacity / 3), connections: 32, threads: 1, duration: '1500ms' });
      const unloadedP99 = percentile(admittedMs(child, from), 0.99);

      from = child.lines.length;
      const started = performance.now();
      const offered = await load({
        url,
        rate: Math.round(capacity * 3),
        connections: 256,
        threads: 1,
        duration: '3s',
        timeout: '10s',
      });
      const admitted = admittedMs(child, from);
      const admittedP99 = percentile(admitted, 0.99);
      // Over the whole call, drain included: requests queued during the window and answered after it don't count.
      const goodput = offered.status['2xx'] / ((performance.now() - started) / 1000);
      const figures = { capacity, unloadedP99, admittedP99, goodput, shed: offered.status['5xx'] };
      console.log('adaptive overload', JSON.stringify(figures));
      expect(offered.status['5xx']).toBeGreaterThan(0);
      expect(offered.errorsByKind['http-5xx']).toBe(offered.requests.errors); // nothing but 503s failed
      expect(admittedP99).toBeLessThanOrEqual(2 * unloadedP99);
      expect(goodput).toBeGreaterThanOrEqual(0.8 * capacity);
    } finally {
      child.proc.kill('SIGTERM');
      await child.exit;
    }
  });
});
