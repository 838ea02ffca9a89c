import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { background, withCancel } from '../../src/context/index.js';
import { findLimits, formatSummary } from '../../src/limits/index.js';
import { connectionsFor, sloLatencyBoundMs } from '../../src/limits/load-step-runner.js';
import type { StepRunner } from '../../src/limits/step-runner.js';
import { type SimulatedServer, simulate } from './helpers/simulated-runner.js';

const SLO = ['p99<100ms', 'errors<1%'];
const URL = 'http://127.0.0.1:1/';
/** Simulated steps return at once; only the cool-downs take (a little) real time. */
const QUICK = { url: URL, slo: SLO, step: '1s', cooldown: '1ms' } as const;

function simulated(server: SimulatedServer): StepRunner {
  return simulate(server, SLO).runner;
}

describe('findLimits over a simulated target', () => {
  it('claims the re-tested capacity and prints the one-line verdict', async () => {
    const result = await findLimits({ ...QUICK, slo: [...SLO] }, { runner: simulated({ capacity: 800 }) });
    expect(result.outcome).toBe('found');
    expect(result.capacity?.rps).toBeGreaterThan(720);
    expect(result.capacity?.rps).toBeLessThanOrEqual(800);
    expect(result.profileStep).toBeNull();
    const first = formatSummary(result).split('\n')[0];
    expect(first).toMatch(
      /^max sustainable: [78]\d\d req\/s \(\+\d+\.\d%: fails at [\d,]+\) at p99<100ms, errors<1%; bottleneck: unknown$/,
    );
    result.bottleneck = {
      kind: 'cpu',
      evidence: ['CPU: the process used about one core'],
      topFunctions: [{ name: 'JSON.stringify', file: '', line: 0, selfPct: 61, package: 'fastify' }],
      packages: [{ name: 'fastify', selfPct: 70 }],
      profileTree: null,
    };
    expect(formatSummary(result).split('\n')[0]).toMatch(
      /; bottleneck: CPU — 61% in JSON\.stringify \(fastify\)$/,
    );
  });

  it('claims no capacity when the load generator saturated first, and says so', async () => {
    const runner = simulated({ capacity: 20_000, generatorLimit: 5000 });
    const result = await findLimits({ ...QUICK, slo: [...SLO] }, { runner });
    expect(result.outcome).toBe('generator-bound');
    expect(result.capacity).toBeNull();
    expect(result.bottleneck.kind).toBe('generator');
    expect(result.bottleneck.evidence[0]).toMatch(/the load generator could not keep up/);
    expect(formatSummary(result)).toMatch(
      /^no capacity claimed: the load generator saturated before the target/,
    );
  });

  it('holds --max-time as a hard bound: a step still running at the deadline is cut and dropped', async () => {
    let calls = 0;
    const inner = simulated({ capacity: 50_000 });
    // The fourth step hangs (a drain that never ends); the others take their length plus a little.
    const runner: StepRunner = async (request) => {
      const extra = ++calls === 4 ? 60_000 : 20;
      await Promise.race([delay(request.durationMs + extra), request.ctx?.done]);
      return inner(request);
    };
    const started = performance.now();
    const result = await findLimits(
      { url: URL, slo: [...SLO], step: '200ms', cooldown: '1ms', maxTime: '3s' },
      { runner },
    );
    expect(performance.now() - started).toBeLessThan(3500);
    expect(result.outcome).toBe('max-time');
    expect(result.steps).toHaveLength(3);
    expect(result.capacity).toMatchObject({ rps: 100, high: null });
    expect(formatSummary(result)).toMatch(
      /^--max-time ran out during ramp: sustains ≥ 100 req\/s at p99<100ms, errors<1% \(not the maximum\);.*\n {2}the SLO had not broken yet\n/,
    );
  });
});

describe('Ctrl-C while the knee is profiled', () => {
  it('ends interrupted (never found), keeps the capacity the search re-tested, and says no profile was taken', async () => {
    const [ctx, cancel] = withCancel(background());
    const inner = simulated({ capacity: 800 });
    const phases: string[] = [];
    // The profile step is cut by Ctrl-C before its load flowed: no profile is fetched.
    const runner: StepRunner = async (request) => {
      phases.push(request.phase);
      if (request.phase === 'profile') cancel();
      return inner(request);
    };
    const result = await findLimits(
      { ...QUICK, slo: [...SLO], admin: 'http://127.0.0.1:1', ctx },
      { runner },
    );
    expect(phases.at(-1)).toBe('profile');
    expect(result).toMatchObject({
      outcome: 'interrupted',
      stoppedIn: 'profile',
      profile: null,
      profileStep: null,
    });
    expect(result.capacity?.high).not.toBeNull();
    expect(result.steps.at(-1)).toMatchObject({
      phase: 'retest',
      pass: true,
      offeredRps: result.capacity?.rps,
    });
    const first = formatSummary(result).split('\n')[0];
    expect(first).toMatch(/^interrupted while profiling/);
    expect(first).not.toMatch(/^max sustainable/);
  });
});

describe('connectionsFor', () => {
  it('sizes the pool for the rate at the SLO latency (Little’s law ×1.5), within 64–1024', () => {
    expect(sloLatencyBoundMs(['p99<100ms', 'p50<20ms', 'errors<1%'])).toBe(100);
    expect(sloLatencyBoundMs(['errors<1%'])).toBe(1000);
    expect(connectionsFor(100, 100)).toBe(64);
    expect(connectionsFor(2000, 100)).toBe(300);
    expect(connectionsFor(50_000, 100)).toBe(1024);
  });
});
