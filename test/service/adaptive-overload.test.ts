/**
 * The adaptive overload guard (`ADAPTIVE_CONCURRENCY=on`, nothing else tuned) protects latency: at 3× a fixture's capacity the requests it
 * admits are served within 2× the unloaded p99 (server side, from the access lines), and goodput stays ≥ 80% of the
 * capacity measured in the same test — warm, and after a bounded time when the service starts straight into the
 * overload; and a cold service admits a burst under capacity whole. With the fixed `MAX_INFLIGHT=1000` alone
 * (`ADAPTIVE_CONCURRENCY=off`) the admitted requests queue in the fixture's pool and the overload tests fail by an
 * order of magnitude; with a limit that starts low the burst test gets 503s.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { type Child, spawnFixture } from './fixture-process.js';
import { get, waitFor } from './helpers.js';

const FIXTURE = 'test/service/fixtures/limited-resource.ts';
/** The fixture's nominal capacity: 8 slots held 20 ms each. */
const NOMINAL_CAPACITY = 400;
/** How long a cold start into overload may take to learn its limit (ms). */
const SETTLE_MS = 2_000;
/** Requests in the cold burst. */
const BURST = 64;
/** The one setting: the adaptive limit, off by default (docs/service.md, Overload). */
const ADAPTIVE = { ADAPTIVE_CONCURRENCY: 'on' };

/** Server-side latencies (ms) of the 200s logged since line `from` (that arrived at `since`, epoch ms, or later). */
function admittedMs(child: Child, from: number, since = 0): number[] {
  return child.lines
    .slice(from)
    .filter((l) => l.msg === 'request' && l.status === 200 && Number(l.time) - Number(l.ms) >= since)
    .map((l) => Number(l.ms));
}

/**
 * Waits until the access lines of the `answered` 200s since line `from` are in: the service's stdout buffer is written
 * when full or at least every second, so they arrive within a second of the last response.
 */
const flushed = (child: Child, from: number, answered: number) =>
  waitFor(() => (admittedMs(child, from).length >= answered ? true : undefined), 5_000);

/** Capacity (req/s) and unloaded p99 (ms) of the fixture at `url`, measured on its running process. */
async function measureUnloaded(
  child: Child,
  url: string,
): Promise<{ capacity: number; unloadedP99: number }> {
  // Capacity: twice as many closed-loop connections as the pool has slots keep every slot busy.
  const saturated = await load({ url, connections: 16, threads: 1, duration: '1500ms' });
  const capacity = saturated.status['2xx'] / saturated.durationS;
  // Unloaded latency: an open model at a third of capacity.
  const from = child.lines.length;
  const unloaded = await load({
    url,
    rate: Math.round(capacity / 3),
    connections: 32,
    threads: 1,
    duration: '1500ms',
  });
  await flushed(child, from, unloaded.status['2xx']);
  return { capacity, unloadedP99: percentile(admittedMs(child, from), 0.99) };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

describe('adaptive overload guard', () => {
  it('at 3x capacity keeps the admitted p99 within 2x the unloaded p99 and goodput at 80% of capacity', async () => {
    const child = spawnFixture({ LOG_LEVEL: 'info', ...ADAPTIVE }, FIXTURE);
    try {
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'), 20_000);
      const url = `${String(listening.url)}/work`;
      await load({ url, connections: 8, threads: 1, duration: '500ms' }); // warm-up
      const { capacity, unloadedP99 } = await measureUnloaded(child, url);

      const from = child.lines.length;
      const started = performance.now();
      const offered = await load({
        url,
        rate: Math.round(capacity * 3),
        connections: 256,
        threads: 1,
        duration: '3s',
        timeout: '10s',
      });
      // Over the whole call, drain included: requests queued during the window and answered after it don't count.
      const goodput = offered.status['2xx'] / ((performance.now() - started) / 1000);
      await flushed(child, from, offered.status['2xx']);
      const admittedP99 = percentile(admittedMs(child, from), 0.99);
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

  it('started cold straight into 3x its capacity, settles within 2x the unloaded p99 after a bounded time', async () => {
    const child = spawnFixture({ LOG_LEVEL: 'info', ...ADAPTIVE }, FIXTURE);
    try {
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'), 20_000);
      const url = `${String(listening.url)}/work`;
      // No warm-up, no quiet window to learn the no-load latency from: 3x the nominal capacity from the start.
      const from = child.lines.length;
      const started = Date.now();
      const offered = await load({
        url,
        rate: 3 * NOMINAL_CAPACITY,
        connections: 256,
        threads: 1,
        duration: '4s',
        timeout: '10s',
      });
      const ended = Date.now();
      await flushed(child, from, offered.status['2xx']);
      const settled = admittedMs(child, from, started + SETTLE_MS);
      const settledP99 = percentile(settled, 0.99);
      // Requests that arrived after the settling time, over the time from then to the end of the load (drain included).
      const goodput = settled.length / ((ended - started - SETTLE_MS) / 1000);
      const all = admittedMs(child, from);
      const coldP99 = percentile(all.slice(0, all.length - settled.length), 0.99);
      // The unloaded figures, measured on the same (now warm) process afterwards.
      const { capacity, unloadedP99 } = await measureUnloaded(child, url);
      const figures = { capacity, unloadedP99, coldP99, settledP99, goodput, shed: offered.status['5xx'] };
      console.log('adaptive overload, cold start', JSON.stringify(figures));
      expect(offered.errorsByKind['http-5xx']).toBe(offered.requests.errors); // nothing but 503s failed
      expect(settledP99).toBeLessThanOrEqual(2 * unloadedP99);
      expect(goodput).toBeGreaterThanOrEqual(0.8 * capacity);
    } finally {
      child.proc.kill('SIGTERM');
      await child.exit;
    }
  });

  it('admits a cold burst of 64 concurrent requests under capacity whole (no 503)', async () => {
    // The /work fixture without a pool: 64 requests at once take their 20 ms each, nothing queues.
    const child = spawnFixture({ LOG_LEVEL: 'info', ...ADAPTIVE });
    try {
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'), 20_000);
      const url = `${String(listening.url)}/work`;
      const statuses: number[] = [];
      for (let wave = 0; wave < 4; wave++) {
        const results = await Promise.all(Array.from({ length: BURST }, () => get(url)));
        statuses.push(...results.map((r) => r.status));
      }
      expect(statuses).toHaveLength(4 * BURST);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    } finally {
      child.proc.kill('SIGTERM');
      await child.exit;
    }
  });
});
