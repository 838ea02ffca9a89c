import { afterEach, describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/service/concurrency-limit.js';

let limiters: ConcurrencyLimit[] = [];
afterEach(() => {
  for (const l of limiters) l.stop();
  limiters = [];
});

/** A limiter whose windows the test closes itself (the timer's window is an hour). */
function limiter(stall = 0, max = 1000) {
  const l = new ConcurrencyLimit({ max, min: 4, tolerance: 1.25, stallMs: () => stall, windowMs: 3_600_000 });
  limiters.push(l);
  return l;
}

/** One window: `n` requests of `ms` each, `shed` refusals, then the window closes. */
function window(l: ConcurrencyLimit, ms: number, shed = 0, n = 20) {
  for (let i = 0; i < n; i++) l.sample(ms);
  for (let i = 0; i < shed; i++) l.shed();
  l.update();
}

describe('ConcurrencyLimit', () => {
  it('learns the no-load latency, shrinks when a queue doubles it, grows back while refusing within tolerance', () => {
    const l = limiter();
    expect(l.limit).toBe(20);
    window(l, 10);
    expect(l.baselineMs).toBe(10);
    window(l, 25, 5); // 20 in flight, 2.5x the latency: ~12 of them are queued
    expect(l.limit).toBeLessThan(20);
    const shrunk = l.limit;
    window(l, 11, 5); // within tolerance and refusing: room to grow
    expect(l.limit).toBeGreaterThan(shrunk);
    window(l, 11, 0); // within tolerance, nothing refused: no reason to grow
    expect(l.limit).toBe(shrunk + 1);
  });

  it('grows in a retry storm (refused clients back at once) instead of turning CPU into 503s', () => {
    const l = limiter();
    window(l, 10);
    window(l, 40, 500); // 25 refusals per completion, latency 4x: closed-loop clients hammering
    expect(l.limit).toBeGreaterThan(20);
    const grown = l.limit;
    window(l, 40, 40); // 2 per completion (an open-model 3x overload): the queue rule applies again
    expect(l.limit).toBeLessThan(grown);
  });

  it('holds the limit when one event-loop block explains the latency', () => {
    const l = limiter(300);
    window(l, 10);
    window(l, 310, 5);
    expect(l.limit).toBe(20);
  });

  it('stays within [min, MAX_INFLIGHT] and re-learns a baseline that went stale', () => {
    const capped = limiter(0, 8);
    expect(capped.limit).toBe(8);
    for (let i = 0; i < 10; i++) window(capped, 5, 5);
    expect(capped.limit).toBe(8);
    const l = limiter();
    window(l, 10);
    for (let i = 0; i < 50; i++) window(l, 100, 5);
    expect(l.limit).toBeGreaterThanOrEqual(4);
    // The work now takes 30 ms at low concurrency: after a while that is the baseline, not a queue.
    for (let i = 0; i < 30; i++) window(l, 30, 0);
    expect(l.baselineMs).toBeGreaterThan(25);
  });
});
