import { afterEach, describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/service/concurrency-limit.js';

let limiters: ConcurrencyLimit[] = [];
afterEach(() => {
  for (const l of limiters) l.stop();
  limiters = [];
});

/** A limiter whose windows, clock and in-flight count the test drives itself (the timer's window is an hour). */
function limiter(options: { stall?: number; max?: number; pool?: boolean } = {}) {
  /** `share`: the CPU share of each window (1: the process never descheduled); `waiting`: the pool's queue. */
  const state = { now: 0, inflight: 0, share: 1, waiting: 0 };
  const l = new ConcurrencyLimit({
    max: options.max ?? 1000,
    min: 4,
    tolerance: 1.25,
    stallMs: () => options.stall ?? 0,
    inflight: () => state.inflight,
    cpuShare: () => state.share,
    poolWaiting: options.pool ? () => state.waiting : undefined,
    windowMs: 3_600_000,
    now: () => state.now,
  });
  limiters.push(l);
  return { l, state };
}

type Driven = ReturnType<typeof limiter>;

/** One 100 ms window: `n` requests of `ms` complete with `inflight` in flight, `shed` refusals, then it closes. */
function window({ l, state }: Driven, ms: number, inflight: number, shed = 0, n = 20) {
  state.inflight = inflight;
  for (let i = 0; i < n; i++) l.sample(ms);
  for (let i = 0; i < shed; i++) l.shed();
  state.now += 100;
  l.update();
}

/** Runs a probe to its end: the old requests drain, then `n` requests of `ms` admitted after the drain complete. */
function probe({ l, state }: Driven, oldMs: number, ms: number, n = 20) {
  expect(l.probing).toBe(true);
  state.inflight = 4;
  l.sample(oldMs); // the queue drained: in flight down to the floor
  state.now += 5;
  l.sample(oldMs); // admitted before the drain: waited in the queue, not a baseline sample
  state.now += ms; // the first requests admitted after the drain complete
  for (let i = 0; i < n; i++) {
    state.now += 1;
    l.sample(ms);
  }
}

describe('ConcurrencyLimit', () => {
  it('starts open at MAX_INFLIGHT: a cold burst is admitted whole, and latency without a queue shrinks nothing', () => {
    const d = limiter();
    expect(d.l.limit).toBe(1000);
    window(d, 60, 64); // JIT warm-up: the first window is slow
    for (let i = 0; i < 10; i++) window(d, 21, 64);
    expect(d.l.limit).toBe(1000);
    expect(d.l.baselineMs).toBeLessThan(60);
  });

  it('shrinks from what is in flight after two queued windows, not one', () => {
    const d = limiter();
    window(d, 20, 8);
    window(d, 60, 200); // 3x the latency with 200 in flight: a queue, but one window is noise
    expect(d.l.limit).toBe(1000);
    window(d, 80, 200);
    expect(d.l.limit).toBe(100); // halved from the 200 in flight, not from 1000
  });

  it('probes the baseline once it refuses: pinned to the floor, then the mean of requests admitted after the drain', () => {
    const d = limiter();
    // Cold into overload: the first window already queued (50 ms where the work takes 20).
    window(d, 50, 100);
    window(d, 100, 200);
    window(d, 150, 300);
    expect(d.l.limit).toBe(150);
    expect(d.l.baselineMs).toBe(50);
    window(d, 160, 150, 100); // refusing: the baseline was never measured, so a probe starts
    expect(d.l.probing).toBe(true);
    expect(d.l.limit).toBe(4);
    d.l.update(); // windows close while it runs: the limit stays pinned
    expect(d.l.limit).toBe(4);
    probe(d, 300, 20);
    expect(d.l.probing).toBe(false);
    expect(d.l.baselineMs).toBe(20);
    expect(d.l.limit).toBe(150); // restored, then the gradient takes it down against the measured baseline
    window(d, 200, 150, 100);
    window(d, 200, 150, 100);
    expect(d.l.limit).toBe(75);
    // That probe moved the baseline: the next one comes 1 s later, while refusing; one that finds it where it was
    // doubles the wait.
    for (let i = 0; i < 7; i++) window(d, 24, 10, 10);
    expect(d.l.probes).toBe(1);
    window(d, 24, 10, 10);
    expect(d.l.probes).toBe(2);
    probe(d, 30, 21);
    expect(d.l.baselineMs).toBe(21);
    for (let i = 0; i < 19; i++) window(d, 24, 10, 10);
    expect(d.l.probes).toBe(2);
    window(d, 24, 10, 10);
    expect(d.l.probes).toBe(3);
  });

  it('probes again after 1 s only when the last probe measured less than the one before (still warming up)', () => {
    const d = limiter();
    /** Refusing windows until a probe starts: how many it took (100 ms each). */
    const windowsUntilProbe = () => {
      let n = 0;
      while (!d.l.probing && n < 200) {
        window(d, 24, 10, 10);
        n++;
      }
      return n;
    };
    window(d, 50, 100);
    window(d, 60, 100, 10); // refusing with a baseline never measured: the first probe
    probe(d, 60, 20);
    expect(windowsUntilProbe()).toBe(10); // the first probe: 1 s
    // 50% more than the probe before (20 requests of a mixed workload vary that much): the wait doubles. Compared
    // with the baseline instead, it read as moved and probed again after 1 s.
    probe(d, 60, 30);
    expect(d.l.baselineMs).toBe(30);
    expect(windowsUntilProbe()).toBe(20);
    // Less than the probe before by more than 25%: still warming up, probe again after 1 s.
    probe(d, 60, 20);
    expect(windowsUntilProbe()).toBe(10);
    // Where it was: the wait doubles again.
    probe(d, 60, 19);
    expect(windowsUntilProbe()).toBe(20);
  });

  it('never probes while it refuses nothing, and a probe that gets no requests ends with the old baseline', () => {
    const d = limiter();
    window(d, 20, 8);
    for (let i = 0; i < 200; i++) window(d, 22, 500);
    expect(d.l.probes).toBe(0);
    const e = limiter();
    window(e, 20, 8);
    window(e, 60, 100);
    window(e, 60, 100);
    window(e, 60, 50, 10);
    expect(e.l.probing).toBe(true);
    e.state.now += 2_000;
    e.l.update();
    expect(e.l.probing).toBe(false);
    expect(e.l.baselineMs).toBe(20);
    expect(e.l.limit).toBe(50);
  });

  it('grows in a retry storm (refused clients back at once) instead of turning CPU into 503s', () => {
    const d = limiter({ max: 20 });
    window(d, 10, 20);
    window(d, 10, 20, 5); // the first refusals start a probe
    probe(d, 10, 10);
    window(d, 40, 20, 10);
    window(d, 40, 20, 10);
    const shrunk = d.l.limit;
    expect(shrunk).toBeLessThan(20);
    window(d, 40, shrunk, 500); // 25 refusals per completion, latency 4x: closed-loop clients hammering
    expect(d.l.limit).toBeGreaterThan(shrunk);
  });

  it('holds the limit when one event-loop block explains the latency', () => {
    const d = limiter({ stall: 300 });
    window(d, 10, 20);
    window(d, 310, 20);
    window(d, 310, 20);
    expect(d.l.limit).toBe(1000);
  });

  it('never shrinks below 2x the best throughput x the baseline: slower but serving as much is contention', () => {
    const d = limiter();
    for (let i = 0; i < 5; i++) window(d, 5, 5, 0, 100); // 1000 req/s at 5 ms: the baseline
    // The machine gets busy (the refusals, the database, the client share its cores): 20 ms at 20 in flight for
    // the same 1000 req/s, the rest refused. A queue by latency alone, which a limit at the floor would only starve.
    for (let i = 0; i < 40; i++) {
      if (d.l.probing) probe(d, 20, 5);
      else window(d, 20, 20, 100, 100);
    }
    expect(d.l.probes).toBeGreaterThan(0);
    expect(d.l.baselineMs).toBeCloseTo(5, 0);
    expect(d.l.floor).toBeCloseTo(10, 0);
    expect(d.l.limit).toBeGreaterThanOrEqual(9);
    expect(d.l.limit).toBeLessThan(20);
  });

  it('stays within [min, MAX_INFLIGHT], re-learns a stale baseline and probes one stuck at the floor', () => {
    const capped = limiter({ max: 8 });
    expect(capped.l.limit).toBe(8);
    for (let i = 0; i < 10; i++) window(capped, 5, 8);
    expect(capped.l.limit).toBe(8);
    // A slow service (5 completions per window: 2 × its throughput × its baseline is under the floor) with a queue.
    const d = limiter();
    window(d, 10, 20, 0, 5);
    for (let i = 0; i < 20; i++) window(d, 100, 20, 0, 5);
    expect(d.l.limit).toBe(4);
    // The work now takes 30 ms at low concurrency: after a while that is the baseline, not a queue.
    for (let i = 0; i < 30; i++) window(d, 30, 4, 0, 5);
    expect(d.l.baselineMs).toBeGreaterThan(25);
    // Refusing at the floor window after window: the baseline is suspect, measure it (as Envoy does).
    for (let i = 0; i < 5 && !d.l.probing; i++) window(d, 100, 4, 10, 5);
    expect(d.l.probing).toBe(true);
  });

  it('reads latency from CPU contention (the process descheduled) as no queue, and still shrinks on a queue past it', () => {
    const d = limiter();
    for (let i = 0; i < 5; i++) window(d, 10, 8); // 10 ms with the CPU to itself: the baseline
    // Other processes take half the CPU while the loop has work: every request takes twice as long, 50 in flight.
    d.state.share = 0.5;
    for (let i = 0; i < 20; i++) window(d, 20, 50);
    expect(d.l.limit).toBe(1000);
    expect(d.l.baselineMs).toBeCloseTo(10, 5);
    // A queue on top of that contention (100 ms where contention explains 20) still shrinks it, to the target.
    window(d, 100, 50);
    window(d, 100, 50);
    expect(d.l.limit).toBe(25);
    // The same windows with the CPU to itself were a queue (the code before the CPU share shrank here).
    const e = limiter();
    for (let i = 0; i < 5; i++) window(e, 10, 8);
    for (let i = 0; i < 2; i++) window(e, 20, 50);
    expect(e.l.limit).toBe(31);
  });

  it('with an instrumented pool, shrinks only while requests wait for a connection', () => {
    const d = limiter({ pool: true });
    for (let i = 0; i < 5; i++) window(d, 10, 8);
    // Four times as slow at 50 in flight with nobody waiting for a connection: the CPU (refusals, the database,
    // other processes), not a queue a lower limit shortens (the code before the pool signal shrank here).
    for (let i = 0; i < 3; i++) window(d, 40, 50);
    expect(d.l.limit).toBe(1000);
    // Slower still with 10 requests waiting for a connection, two windows in a row: a queue in the pool.
    d.state.waiting = 10;
    window(d, 200, 50);
    window(d, 200, 50);
    expect(d.l.limit).toBe(25);
  });
});
