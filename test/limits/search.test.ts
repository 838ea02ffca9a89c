import { describe, expect, it } from 'vitest';
import { background, withCancel, withDeadline } from '../../src/context/index.js';
import { type SearchPlan, searchCapacity } from '../../src/limits/search.js';
import { samplesNeeded } from '../../src/limits/step-length.js';
import type { StepPhase } from '../../src/limits/types.js';
import { type SimulatedServer, simulate } from './helpers/simulated-runner.js';

const SLO = ['p99<100ms', 'errors<1%'];
const PLAN: SearchPlan = {
  stepMs: 2000,
  cooldownMs: 500,
  maxTimeMs: 90_000,
  maxRate: null,
  precision: 0.05,
  samples: samplesNeeded(SLO),
};

/** A server whose first re-test fails (noise) and, when `bisectAbove` is given, whose bisection steps above it break. */
function firstRetestFails(bisectAbove?: number): NonNullable<SimulatedServer['flaky']> {
  let failRetest = true;
  return (r) => {
    if (bisectAbove !== undefined && r.phase === 'bisect') return r.rate > bisectAbove;
    if (r.phase !== 'retest' || !failRetest) return false;
    failRetest = false;
    return true;
  };
}

async function search(server: SimulatedServer, plan: Partial<SearchPlan> = {}) {
  const sim = simulate(server, SLO);
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return sim.sleep(ms);
  };
  const outcome = await searchCapacity(sim.runner, { ...PLAN, ...plan }, { now: sim.now, sleep });
  return { ...outcome, elapsedMs: sim.now(), requests: sim.requests, sleeps };
}

describe('searchCapacity on a simulated queue', () => {
  it.each([40, 800, 3000, 12_400, 50_000])(
    'finds a capacity of %i req/s within 10%% inside 90 s, with 0.7 s of overhead per step',
    async (capacity) => {
      // Default settings; 6.5 s of the 90 s are kept for the knee profile (3 s) as findLimits does.
      const result = await search({ capacity, overheadMs: 700 }, { maxTimeMs: 83_500 });
      expect(result.outcome).toBe('found');
      // The p99<100ms knee of this queue sits a little below its capacity: ρ ≈ 0.95.
      expect(result.low).toBeGreaterThan(capacity * 0.9);
      expect(result.low).toBeLessThanOrEqual(capacity);
      expect(result.high).not.toBeNull();
      expect((result.high! - result.low!) / result.low!).toBeLessThanOrEqual(0.05);
      expect(result.elapsedMs).toBeLessThanOrEqual(83_500);
    },
  );

  it('follows the phases: calibrate, ramp ×2, bisect, re-test — no confirmation when a bisection step fails', async () => {
    const result = await search({ capacity: 800 });
    const phases = result.steps.map((s) => s.phase);
    expect(phases[0]).toBe('calibrate');
    expect(phases).not.toContain('confirm');
    expect(phases).toContain('bisect');
    expect(phases.at(-1)).toBe('retest');
    const ramp = result.steps.filter((s) => s.phase === 'ramp').map((s) => s.offeredRps);
    expect(ramp.slice(0, 3)).toEqual([50, 100, 200]);
    expect(result.steps.at(-1)?.offeredRps).toBe(result.low);
  });

  it('confirms the ramp’s break when the bisection ends against it, before the re-test', async () => {
    // 1620 req/s: the ramp breaks at 1600 (p99 ≈ 210 ms), every bisection step below it passes.
    const result = await search({ capacity: 1620 });
    const tail = result.steps.slice(-3).map((s) => `${s.phase} ${s.offeredRps}${s.pass ? '+' : '-'}`);
    expect(tail).toEqual(['bisect 1550+', 'confirm 1600-', 'retest 1550+']);
    expect(result).toMatchObject({ outcome: 'found', low: 1550, high: 1600 });
  });

  it('runs longer steps at low rates so a p99 has ~1000 samples, within 3× the step', async () => {
    const result = await search({ capacity: 800 });
    const fine = result.requests.filter((r) => r.phase === 'bisect' || r.phase === 'retest');
    for (const request of fine) {
      const samples = (request.rate * request.durationMs) / 1000;
      expect(request.durationMs).toBeLessThanOrEqual(6000);
      expect(samples >= 999 || request.durationMs === 6000).toBe(true);
    }
    const calibration = result.requests[0]!;
    expect(calibration.durationMs).toBe(2000);
  });

  it('ends with no-rate-meets-slo after the calibration when even a trickle breaks the SLO', async () => {
    const result = await search({ capacity: 800, baseMs: 500 });
    expect(result.outcome).toBe('no-rate-meets-slo');
    expect(result.low).toBeNull();
    expect(result.steps.map((s) => s.phase)).toEqual(['calibrate', 'confirm']);
    expect(result.steps[0]!.failures[0]).toMatch(/p99<100ms broken/);
  });

  it('stops at --max-rate and claims only a lower bound', async () => {
    const result = await search({ capacity: 5000 }, { maxRate: 1000 });
    expect(result.outcome).toBe('max-rate');
    expect(result.low).toBe(1000);
    expect(result.high).toBeNull();
    expect(Math.max(...result.steps.map((s) => s.offeredRps))).toBe(1000);
  });

  it('respects --max-time and says so', async () => {
    const result = await search({ capacity: 50_000 }, { maxTimeMs: 10_000 });
    expect(result).toMatchObject({ outcome: 'max-time', stoppedIn: 'ramp', high: null });
    expect(result.capacity).toEqual({ rps: result.low, low: result.low, high: null });
    expect(result.elapsedMs).toBeLessThanOrEqual(10_000 + 2 * PLAN.cooldownMs);
  });

  it('counts what a step costs beyond its length, so --max-time holds when steps have overhead', async () => {
    const result = await search({ capacity: 50_000, overheadMs: 4000 }, { maxTimeMs: 30_000 });
    expect(result.outcome).toBe('max-time');
    expect(result.elapsedMs).toBeLessThanOrEqual(30_000 + 2 * PLAN.cooldownMs);
  });

  it('cools down only after a failing step (a pass leaves no backlog), for twice the cool-down', async () => {
    const result = await search({ capacity: 800 });
    expect(result.sleeps).toHaveLength(result.steps.length);
    expect(result.steps.some((s) => !s.pass)).toBe(true);
    result.steps.forEach((step, i) => {
      expect(result.sleeps[i]).toBe(step.pass ? 0 : 2 * PLAN.cooldownMs);
    });
  });

  it('drops a step cut short by Ctrl-C and reports the search as interrupted', async () => {
    const sim = simulate({ capacity: 5000 }, SLO);
    const [ctx, cancel] = withCancel(background());
    let calls = 0;
    const runner: typeof sim.runner = async (request) => {
      const measured = await sim.runner(request);
      if (++calls === 4) cancel();
      return measured;
    };
    const result = await searchCapacity(runner, PLAN, { now: sim.now, sleep: sim.sleep, ctx });
    expect(result.outcome).toBe('interrupted');
    expect(result.steps).toHaveLength(3);
    expect(result.low).toBe(100);
    expect(result.stoppedIn).toBe('ramp');
  });

  it('calls a deadline max-time, not an interruption', async () => {
    const sim = simulate({ capacity: 5000 }, SLO);
    const [ctx, cancel] = withDeadline(background(), Date.now() - 1);
    const result = await searchCapacity(sim.runner, PLAN, { now: sim.now, sleep: sim.sleep, ctx });
    cancel();
    expect(result.outcome).toBe('max-time');
    expect(result.steps).toHaveLength(0);
  });

  it('gives a boundary failed by a generator hiccup a second look, and narrows the band above it', async () => {
    const result = await search({ capacity: 1100, hiccup: (r, seen) => r.rate === 1100 && seen === 1 });
    const hiccup = result.steps.find((s) => s.offeredRps === 1100 && !s.pass);
    expect(hiccup?.generatorLimited).toBe(true);
    expect(result.notes.join(' ')).toMatch(/1100 req\/s passed on a second look/);
    expect(result.outcome).toBe('found');
    expect(result.low).toBeGreaterThanOrEqual(1100);
    expect((result.high! - result.low!) / result.low!).toBeLessThanOrEqual(0.05);
  });

  it('reports generator-bound when the generator saturates before the target', async () => {
    const result = await search({ capacity: 20_000, generatorLimit: 5000 });
    expect(result.outcome).toBe('generator-bound');
    expect(result.high).toBeLessThanOrEqual(5000 * 1.06);
    expect(result.steps.find((s) => s.offeredRps === result.high && !s.pass)?.generatorLimited).toBe(true);
  });

  it('does not end the ramp on one noisy step: the confirmation passes and the ramp goes on', async () => {
    const result = await search({ capacity: 800, flaky: (r, seen) => r.rate === 200 && seen === 1 });
    expect(result.outcome).toBe('found');
    expect(result.low).toBeGreaterThan(720);
    expect(result.notes.join(' ')).toMatch(/200 req\/s failed once/);
  });

  it('confirms a narrow ramp failure right away, and the ramp goes on when the confirmation passes', async () => {
    // The first 200 req/s step breaks p99<100ms narrowly (120 ms): confirmed at once, not bisected below.
    const sim = simulate({ capacity: 800 }, SLO);
    let first = true;
    const runner: typeof sim.runner = async (request) => {
      const measured = await sim.runner(request);
      if (request.phase !== 'ramp' || request.rate !== 200 || !first) return measured;
      first = false;
      const slo = measured.slo.map((o) => (o.expr.startsWith('p99') ? { ...o, ok: false, actual: 120 } : o));
      return { ...measured, p99Ms: 120, slo };
    };
    const result = await searchCapacity(runner, PLAN, { now: sim.now, sleep: sim.sleep });
    const path = result.steps.slice(0, 5).map((s) => `${s.phase} ${s.offeredRps}${s.pass ? '+' : '-'}`);
    expect(path).toEqual(['calibrate 25+', 'ramp 50+', 'ramp 100+', 'ramp 200-', 'confirm 200+']);
    expect(result.steps[5]?.phase).toBe('ramp');
    expect(result.notes.join(' ')).toMatch(
      /200 req\/s failed narrowly in the ramp and passed its confirmation/,
    );
    expect(result.outcome).toBe('found');
    expect(result.low).toBeGreaterThan(720);
  });

  it('searches again below a boundary that fails its re-test', async () => {
    let failRetest = true;
    const result = await search({
      capacity: 800,
      flaky: (r) => {
        if (r.phase !== 'retest' || !failRetest) return false;
        failRetest = false;
        return true;
      },
    });
    expect(result.outcome).toBe('found');
    const retests = result.steps.filter((s) => s.phase === 'retest');
    expect(retests).toHaveLength(2);
    expect(retests[0]!.pass).toBe(false);
    expect(retests[1]!.pass).toBe(true);
    expect(result.high).toBeLessThanOrEqual(retests[0]!.offeredRps);
    expect(result.low).toBe(retests[1]!.offeredRps);
    expect((result.high! - result.low!) / result.low!).toBeLessThanOrEqual(0.05);
  });
});

describe('re-tests on a noisy knee', () => {
  it('re-tests one precision below a boundary that fails its re-test, instead of bisecting again', async () => {
    // Bisection passes 1200 and 1300 (everything above 1330 breaks), then 1300 fails its re-test once (noise):
    // 1239 (1300 / 1.05, rounded up) is re-tested right away, and claimed with a band within the precision.
    const result = await search({ capacity: 1500, flaky: firstRetestFails(1330) });
    const firstRetest = result.steps.findIndex((s) => s.phase === 'retest');
    const after = result.steps.slice(firstRetest + 1).map((s) => s.phase);
    expect(result.steps[firstRetest]?.pass).toBe(false);
    expect(after).toEqual(['retest']);
    expect(result.outcome).toBe('found');
    expect(result.low).toBe(result.steps.at(-1)?.offeredRps);
    expect((result.high! - result.low!) / result.low!).toBeLessThanOrEqual(PLAN.precision);
    expect(result.steps.map((s) => `${s.offeredRps}${s.pass ? '+' : '-'}`).slice(-3)).toEqual([
      '1350-',
      '1300-',
      '1239+',
    ]);
    expect(result.notes.join(' ')).toMatch(/re-testing 1239 req\/s, 5% below it/);
  });

  it('re-tests the highest pass below a failed boundary when it lies within the precision', async () => {
    // With a 10% precision the bisection stops at [1200, 1300]; 1300 fails its re-test once: 1200 passed before and
    // lies within 10% of it (above 1300 / 1.1 = 1182), so it is the one re-tested.
    const result = await search({ capacity: 1500, flaky: firstRetestFails(1330) }, { precision: 0.1 });
    const retests = result.steps
      .filter((s) => s.phase === 'retest')
      .map((s) => `${s.offeredRps}${s.pass ? '+' : '-'}`);
    expect(retests).toEqual(['1300-', '1200+']);
    expect(result.capacity).toEqual({ rps: 1200, low: 1200, high: 1300 });
    expect(result.notes.join(' ')).toMatch(/re-testing 1200 req\/s, the highest pass below it/);
  });

  it('after the re-test one precision lower fails too, re-tests the highest pass below it', async () => {
    // Re-tests above 1200 fail: 1300 fails, then 1239 (5% below); 1200 passed before and lies within 5% of 1239:
    // it is re-tested and claimed.
    const result = await search({
      capacity: 1500,
      flaky: (r) => (r.phase === 'bisect' ? r.rate > 1330 : r.phase === 'retest' && r.rate > 1200),
    });
    const retests = result.steps
      .filter((s) => s.phase === 'retest')
      .map((s) => `${s.offeredRps}${s.pass ? '+' : '-'}`);
    expect(retests).toEqual(['1300-', '1239-', '1200+']);
    expect(result.capacity).toEqual({ rps: 1200, low: 1200, high: 1239 });
    expect(result.notes.join(' ')).toMatch(
      /1239 req\/s failed its re-test; re-testing 1200 req\/s, the highest/,
    );
  });

  it('claims only a rate that passed its re-test, however many re-tests fail first', async () => {
    // Bisection passes up to 1300 (above 1330 breaks); the first three re-tests fail (noise): the search goes on
    // down the passes until one passes its re-test, and claims that one — never a pass it did not re-test.
    let failedRetests = 0;
    const result = await search({
      capacity: 1500,
      flaky: (r) => {
        if (r.phase === 'bisect') return r.rate > 1330;
        return r.phase === 'retest' && failedRetests++ < 3;
      },
    });
    const retests = result.steps.filter((s) => s.phase === 'retest');
    expect(retests.map((s) => s.pass)).toEqual([false, false, false, true]);
    expect(result.outcome).toBe('found');
    expect(result.capacity?.rps).toBe(retests[3]?.offeredRps);
    expect(result.high).toBe(retests[2]?.offeredRps);
    expect(result.notes.join(' ')).toMatch(/unstable near the knee/);
  });

  it('every found capacity passed its re-test (noisy re-tests, several capacities)', async () => {
    for (const capacity of [300, 1500, 12_400]) {
      let n = 0;
      // Every other re-test fails: a noisy machine.
      const result = await search({ capacity, flaky: (r) => r.phase === 'retest' && n++ % 2 === 0 });
      expect(result.outcome).toBe('found');
      const last = result.steps.at(-1);
      expect(last?.phase).toBe('retest');
      expect(last?.pass).toBe(true);
      expect(result.capacity?.rps).toBe(last?.offeredRps);
    }
  });

  it('bisects again when the re-test one precision lower fails too and the last pass lies further below', async () => {
    // Every re-test of a rate above 700 fails: the boundary in the 760s fails, then the rate 5% below it; the last
    // pass (400) lies far below, so the band between is bisected again before the next re-test.
    const result = await search({ capacity: 800, flaky: (r) => r.phase === 'retest' && r.rate > 700 });
    const phases = result.steps.map((s) => s.phase);
    const firstRetest = phases.indexOf('retest');
    expect(phases.slice(firstRetest + 1)).toContain('bisect');
    expect(result.notes.join(' ')).toMatch(/searching again below it from 400 req\/s/);
    expect(result.outcome).toBe('found');
    expect(result.low).toBeLessThanOrEqual(700);
  });
});

/** Full run on the 800 req/s queue: ramp 50…800 passes, 1600 fails (confirmed), bisect, re-test. */
const FULL = await search({ capacity: 800 });

/**
 * The search on the 800 req/s queue, stopped while (Ctrl-C) or right after (--max-time: the clock jumps past the
 * budget) the `nth` step of `phase` runs.
 */
async function stopDuring(phase: StepPhase, nth: number, how: 'ctrl-c' | 'max-time', capacity = 800) {
  const sim = simulate({ capacity }, SLO);
  const [ctx, cancel] = withCancel(background());
  let seen = 0;
  let skewMs = 0;
  const runner: typeof sim.runner = async (request) => {
    const measured = await sim.runner(request);
    if (request.phase === phase && ++seen === nth) {
      if (how === 'ctrl-c') cancel();
      else skewMs = PLAN.maxTimeMs;
    }
    return measured;
  };
  const now = () => sim.now() + skewMs;
  return searchCapacity(runner, PLAN, { now, sleep: sim.sleep, ctx });
}

describe('a stopped search never claims what it did not find', () => {
  it('Ctrl-C during the calibration: interrupted, nothing measured', async () => {
    const result = await stopDuring('calibrate', 1, 'ctrl-c');
    expect(result).toMatchObject({ outcome: 'interrupted', stoppedIn: 'calibrate', low: null, high: null });
    expect(result.steps).toHaveLength(0);
  });

  it('Ctrl-C during the ramp: interrupted at the last passing rate, nothing failed', async () => {
    const result = await stopDuring('ramp', 3, 'ctrl-c');
    expect(result).toMatchObject({ outcome: 'interrupted', stoppedIn: 'ramp', low: 100, high: null });
    expect(result.steps.map((s) => s.offeredRps)).toEqual([25, 50, 100]);
  });

  it('Ctrl-C during the confirmation of the ramp’s break: interrupted, not found', async () => {
    // 1620 req/s: the bisection ends against the ramp's break at 1600, which is then confirmed.
    const result = await stopDuring('confirm', 1, 'ctrl-c', 1620);
    expect(result).toMatchObject({ outcome: 'interrupted', stoppedIn: 'confirm', low: 1550, high: 1600 });
    expect(result.capacity).toEqual({ rps: 1550, low: 1550, high: 1600 });
    expect(result.steps.at(-1)).toMatchObject({ phase: 'bisect', offeredRps: 1550, pass: true });
  });

  it('Ctrl-C during the bisection: interrupted with the band measured so far, not found', async () => {
    const result = await stopDuring('bisect', 2, 'ctrl-c');
    expect(result).toMatchObject({ outcome: 'interrupted', stoppedIn: 'bisect', low: 800, high: 1200 });
    expect(result.steps.filter((s) => s.phase === 'bisect')).toHaveLength(1);
  });

  it('Ctrl-C during the re-test: interrupted, the boundary is not claimed without its re-test', async () => {
    const result = await stopDuring('retest', 1, 'ctrl-c');
    expect(result).toMatchObject({
      outcome: 'interrupted',
      stoppedIn: 'retest',
      low: FULL.low,
      high: FULL.high,
    });
    expect(result.steps.some((s) => s.phase === 'retest')).toBe(false);
  });

  it('--max-time running out during the bisection: max-time, not found', async () => {
    const result = await stopDuring('bisect', 1, 'max-time');
    expect(result).toMatchObject({ outcome: 'max-time', stoppedIn: 'bisect', low: 800, high: 1200 });
    expect(result.steps.filter((s) => s.phase === 'bisect')).toHaveLength(1);
  });

  it('--max-time running out before the re-test: max-time, not found', async () => {
    const bisects = FULL.steps.filter((s) => s.phase === 'bisect').length;
    const result = await stopDuring('bisect', bisects, 'max-time');
    expect(result).toMatchObject({
      outcome: 'max-time',
      stoppedIn: 'retest',
      low: FULL.low,
      high: FULL.high,
    });
  });

  it('a search that ran to its end says where it stopped: nowhere', () => {
    expect(FULL).toMatchObject({ outcome: 'found', stoppedIn: null });
  });
});

describe('samplesNeeded', () => {
  it('asks ~10/(1-q) samples for the strictest percentile, at least 200 and at most 10000', () => {
    expect(samplesNeeded(['p99<100ms'])).toBe(1000);
    expect(samplesNeeded(['p50<10ms', 'errors<1%'])).toBe(200);
    expect(samplesNeeded(['p999<1s'])).toBe(10_000);
    expect(samplesNeeded(['p99.9<1s'])).toBe(10_000);
    expect(samplesNeeded(['p90<1s', 'p99<2s'])).toBe(1000);
  });
});
