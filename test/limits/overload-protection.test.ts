/**
 * The target's own overload protection (headroom-kit/service's adaptive concurrency limit, `MAX_INFLIGHT`, the
 * event-loop guard): refusals read by reason with the limit, `overload-protection` when they decided the knee
 * before any resource ran out, and a line naming the protection when a resource rule fired all the same — on
 * synthetic steps, a simulated search, and real fixtures started with `ADAPTIVE_CONCURRENCY=on`.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTTLENECK_RULES, classifyBottleneck } from '../../src/limits/classify-bottleneck.js';
import type { LimitsStep, TargetSignals } from '../../src/limits/index.js';
import { findLimits, formatStepLine, formatSummary, loadStepRunner } from '../../src/limits/index.js';
import { judgeStep } from '../../src/limits/judge-step.js';
import { parseMetricsSnapshot } from '../../src/limits/metrics-snapshot.js';
import type { StepMeasurement, StepRunner } from '../../src/limits/step-runner.js';
import { summarise } from '../../src/limits/target-sampler.js';
import { parseThreshold, thresholdHolds } from '../../src/load/thresholds.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type SpawnedService, spawnFixture } from './helpers/spawn-service.js';
import { syntheticStep } from './helpers/synthetic-step.js';

const SLO = ['p99<100ms', 'errors<1%'];

/** A failing knee step of 1,000 requests at 500 req/s with `target` (refusals count as answered requests). */
function knee(target: Partial<TargetSignals>, slo: readonly string[] = SLO): LimitsStep {
  const errorRate = target.shedShare ?? 0;
  return syntheticStep({
    achievedRps: 500,
    p50Ms: 12,
    p99Ms: 100,
    p999Ms: 101,
    errorRate,
    failures: ['errors<1% broken'],
    slo: slo.map((expr) => {
      const t = parseThreshold(expr);
      const actual = t.metric === 'errors' ? errorRate * 100 : 100;
      return { expr, ok: thresholdHolds(t, actual), actual };
    }),
    target: {
      cpuCores: 0.3,
      eventLoopLagP99Ms: 8,
      gcShare: 0.01,
      heapStartBytes: 30e6,
      heapEndBytes: 31e6,
      inFlightStart: 0,
      inFlightEnd: 3,
      inFlightMax: 6,
      shed: 0,
      scrapes: 5,
      requestMsAvg: 12,
      ...target,
    },
  });
}

/** `n` of 1,000 requests refused by the adaptive limit, held at 4–6 in flight. */
const refusing = (n: number, extra: Partial<TargetSignals> = {}): Partial<TargetSignals> => ({
  shed: n,
  shedShare: n / 1000,
  shedByReason: { concurrency: n },
  concurrencyLimit: { min: 4, max: 6 },
  ...extra,
});

describe('reading the refusals', () => {
  const text = (shed: string, limit: string, ok: number, refused: number) =>
    [
      'process_cpu_seconds_total 1',
      shed,
      `http_concurrency_limit ${limit}`,
      `http_request_duration_seconds_sum{method="GET",route="/q",status="200"} ${ok * 0.01}`,
      `http_request_duration_seconds_count{method="GET",route="/q",status="200"} ${ok}`,
      `http_request_duration_seconds_sum{method="GET",route="/q",status="503"} ${refused * 0.1}`,
      `http_request_duration_seconds_count{method="GET",route="/q",status="503"} ${refused}`,
    ].join('\n');

  it('parses the refusals by reason, the limit (+Inf: none) and the 503s', () => {
    const snapshot = parseMetricsSnapshot(
      text(
        'http_requests_shed_total{reason="concurrency"} 7\nhttp_requests_shed_total{reason="inflight"} 2',
        '6',
        100,
        9,
      ),
      0,
    );
    expect(snapshot).toMatchObject({
      shedTotal: 9,
      shedByReason: { concurrency: 7, inflight: 2 },
      concurrencyLimit: 6,
      requests: 109,
      unavailable: 9,
    });
    expect(parseMetricsSnapshot(text('', '+Inf', 1, 0), 0).concurrencyLimit).toBeNull();
  });

  it('counts a counter that first appears during the step, and leaves the refusals out of the request time', () => {
    const signals = summarise([
      // Before the step nothing was refused yet: a labelled counter has no series then.
      parseMetricsSnapshot(text('', '1000', 100, 0), 0),
      parseMetricsSnapshot(text('http_requests_shed_total{reason="concurrency"} 30', '5', 200, 30), 1000),
      parseMetricsSnapshot(text('http_requests_shed_total{reason="concurrency"} 100', '8', 400, 100), 2000),
    ]);
    expect(signals).toMatchObject({
      shed: 100,
      shedByReason: { concurrency: 100 },
      shedShare: 0.25, // of the 400 answered during the step, the 100 refusals among them
      concurrencyLimit: { min: 5, max: 8 },
      // 10 ms each: the refusals' 100 ms tarpit is not the target's work.
      requestMsAvg: 10,
    });
  });
});

describe('classifying a step the target refused', () => {
  it('names overload-protection when no resource ran out: who refused, the limit, the resources behind, what to do', () => {
    const verdict = classifyBottleneck(
      knee(
        refusing(375, {
          pool: {
            name: 'main',
            max: 10,
            inUseAvg: 3,
            inUseMax: 6,
            waitingAvg: 0.4,
            waitingMax: 2,
            waitingShare: 0.4,
            acquiredPerS: 300,
            waitMsAvg: 1,
            heldMsAvg: 10,
          },
        }),
      ),
      null,
    );
    const why = verdict.evidence.join('\n');
    expect(verdict.kind, why).toBe('overload-protection');
    expect(verdict.evidence[0]).toBe(
      'overload protection: the target refused 375 of 1,000 requests (37.5%) with 503 + Retry-After before any resource behind it ran out — its adaptive concurrency limit (ADAPTIVE_CONCURRENCY=on), limit 4–6 in flight (in flight max 6); by reason: concurrency 375',
    );
    // Nearest first: the pool waited in 40% of the scrapes (its rule: 50%), busy 30% (300/s × 10 ms of 10; its rule:
    // 75%), the CPU at 0.30 of 0.85 cores.
    expect(verdict.evidence[1]).toMatch(
      /^behind the limit, nearest first: pool "main" 3\.0 of 10 in use, waiting in 40% of scrapes \(limits at 50%\), busy 30% of the step \(limits at 75%\); CPU 0\.30 cores/,
    );
    expect(verdict.evidence[2]).toMatch(/rerun with ADAPTIVE_CONCURRENCY=off .*raise ADAPTIVE_TOLERANCE/);
  });

  it('says which guard refused and what to loosen, by the reason that refused most', () => {
    const verdict = classifyBottleneck(
      knee(refusing(80, { shedByReason: { inflight: 60, concurrency: 20 }, concurrencyLimit: null })),
      null,
    );
    expect(verdict.kind).toBe('overload-protection');
    expect(verdict.evidence[0]).toMatch(
      /its in-flight cap \(MAX_INFLIGHT\); by reason: inflight 60, concurrency 20$/,
    );
    expect(verdict.evidence[2]).toMatch(/raise MAX_INFLIGHT/);
  });

  it('counts refusals that alone break the errors SLO, and not a few a looser SLO allows', () => {
    // 1.5% refused breaks errors<1% — the slots fixture's knee in a whole search (docs/limits.md).
    expect(classifyBottleneck(knee(refusing(15)), null).kind).toBe('overload-protection');
    const loose = classifyBottleneck(knee(refusing(15), ['p99<100ms', 'errors<2%']), null);
    expect(loose.kind).toBe('unknown');
    expect(loose.evidence).toContain(
      'overload protection refused 15 of 1,000 requests (1.5%) — its adaptive concurrency limit (ADAPTIVE_CONCURRENCY=on), limit 4–6 in flight (in flight max 6); by reason: concurrency 15',
    );
    // 5% whatever the SLO: a twentieth of the load turned away.
    expect(classifyBottleneck(knee(refusing(50), ['p99<100ms', 'errors<10%']), null).kind).toBe(
      'overload-protection',
    );
  });

  it('keeps a resource that ran out while refusing, and names the protection that guarded it', () => {
    const verdict = classifyBottleneck(knee(refusing(300, { cpuCores: 0.95 })), null);
    expect(verdict.kind).toBe('cpu');
    expect(verdict.evidence[1]).toBe(
      'overload protection guarded the CPU: the target refused 300 of 1,000 requests (30.0%) — its adaptive concurrency limit (ADAPTIVE_CONCURRENCY=on), limit 4–6 in flight (in flight max 6); by reason: concurrency 300',
    );
  });
});

describe('a search whose knee fails only by the protection’s 503s', () => {
  it('finds and confirms the knee, and the summary names the protection', async () => {
    const capacity = 400;
    // Above capacity the limit refuses the excess: every request is answered (achieved = offered), the refusals
    // are the errors, and each is held 100 ms (SHED_DELAY) — the p99 once they pass 1%.
    const runner: StepRunner = async ({ rate, durationMs }) => {
      const share = Math.max(0, (rate - capacity) / rate);
      const answered = Math.round((rate * durationMs) / 1000);
      const shed = Math.round(share * answered);
      const p99Ms = share > 0.01 ? 100 : 20;
      const errorRate = shed / answered;
      const measured: StepMeasurement = {
        offeredRps: rate,
        achievedRps: rate,
        sentRps: rate,
        durationS: durationMs / 1000,
        p50Ms: 12,
        p99Ms,
        p999Ms: p99Ms,
        errorRate,
        slo: SLO.map((expr) => {
          const t = parseThreshold(expr);
          const actual = t.metric === 'errors' ? errorRate * 100 : p99Ms;
          return { expr, ok: thresholdHolds(t, actual), actual };
        }),
        generatorBound: false,
        sendLagP99Ms: null,
        latencyFromSendMs: null,
        generatorWarnings: [],
        target: knee(
          refusing(0, { shed, shedShare: errorRate, shedByReason: shed ? { concurrency: shed } : {} }),
        ).target,
      };
      return measured;
    };
    const result = await findLimits(
      { url: 'http://127.0.0.1:1/', slo: SLO, step: '1s', cooldown: '1ms', admin: 'http://127.0.0.1:1/' },
      { runner },
    );
    const summary = formatSummary(result);
    expect(result.outcome, summary).toBe('found');
    expect(result.capacity?.rps, summary).toBeGreaterThanOrEqual(capacity * 0.95);
    expect(result.capacity?.rps, summary).toBeLessThanOrEqual(capacity * 1.01);
    const steps = result.steps.map((step) => `${step.phase} ${step.offeredRps} ${step.pass}`).join('\n');
    // Every rate above the capacity failed by refusals alone, every one at or below passed; `low` passed its
    // re-test.
    for (const step of result.steps) expect(step.pass, steps).toBe(step.offeredRps <= capacity);
    expect(
      result.steps.some((s) => s.phase === 'retest' && s.pass && s.offeredRps === result.capacity?.low),
    ).toBe(true);
    expect(result.bottleneck.kind, summary).toBe('overload-protection');
    expect(summary.split('\n')[0]).toMatch(
      /^max sustainable: [\d,]+ req\/s \(\+[\d.]+%: fails at [\d,]+\) at p99<100ms, errors<1%; bottleneck: the target's overload protection$/,
    );
  });
});

describe('real targets with ADAPTIVE_CONCURRENCY=on', () => {
  let database: TestDatabase;
  let slots: SpawnedService;
  let pool: SpawnedService;

  beforeAll(async () => {
    database = await createTestDatabase('headroom_ovl');
    [slots, pool] = await Promise.all([
      spawnFixture(fileURLToPath(new URL('./fixtures/slots-service.ts', import.meta.url)), {
        ADAPTIVE_CONCURRENCY: 'on',
      }),
      // Tolerance 2: the limit lets latency double before it refuses, so requests wait for the pool of 4.
      spawnFixture(fileURLToPath(new URL('./fixtures/pool-service.ts', import.meta.url)), {
        ADAPTIVE_CONCURRENCY: 'on',
        ADAPTIVE_TOLERANCE: '2',
        DATABASE_URL: database.url,
      }),
    ]);
  });

  afterAll(async () => {
    await slots?.stop();
    await pool?.stop();
    await database?.drop();
  });

  /** A 1 s step for the limit to learn the load (it starts open at MAX_INFLIGHT), then the measured 2 s one. */
  async function kneeAt(service: SpawnedService, path: string, rate: number): Promise<LimitsStep> {
    const runner = loadStepRunner({
      url: `${service.url}${path}`,
      slo: SLO,
      request: {},
      admin: service.adminUrl,
    });
    await runner({ phase: 'bisect', rate, durationMs: 1000 });
    return judgeStep('bisect', await runner({ phase: 'bisect', rate, durationMs: 2000 }));
  }

  it('names overload-protection when the limit refuses in front of 4 slots of 10 ms (no resource the kit sees ran out)', async () => {
    let step = await kneeAt(slots, '/slot', 600);
    // A stall of the fixture's loop while other test files load the machine (CI, Node 24: lag p99 224 ms at 0.21
    // cores) is the event-loop rule's case, not this one's: measure once more before judging.
    if ((step.target?.eventLoopLagP99Ms ?? 0) >= BOTTLENECK_RULES.eventLoopLagMs)
      step = await kneeAt(slots, '/slot', 600);
    // Other test files share this machine: its rule is covered by the host CPU tests; the target's signals decide.
    const verdict = classifyBottleneck({ ...step, host: null }, null);
    const why = `\n${formatStepLine(step)}\n${verdict.evidence.join('\n')}`;
    expect(step.pass, why).toBe(false);
    expect(step.target?.shedByReason?.concurrency, why).toBeGreaterThan(0);
    // Learned far below MAX_INFLIGHT (1000): about the 4 slots and a little queue.
    expect(step.target?.concurrencyLimit?.min, why).toBeLessThan(20);
    expect(verdict.kind, why).toBe('overload-protection');
    expect(verdict.evidence[0]).toMatch(
      /^overload protection: the target refused [\d,]+ of [\d,]+ requests \([\d.]+%\) with 503 \+ Retry-After before any resource behind it ran out — its adaptive concurrency limit \(ADAPTIVE_CONCURRENCY=on\), limit \d+(–\d+)? in flight \(in flight max \d+\); by reason: concurrency [\d,]+$/,
    );
    expect(verdict.evidence[1]).toMatch(
      /^behind the limit, nearest first: .*CPU \d\.\d\d cores \(saturated at 0\.85\)/,
    );
    expect(verdict.evidence[2]).toMatch(/ADAPTIVE_CONCURRENCY=off/);
  });

  it('keeps the pool when requests still waited for its 4 connections, and names the limit that guarded it', async () => {
    const step = await kneeAt(pool, '/query', 600);
    const verdict = classifyBottleneck(step, null);
    const why = `\n${formatStepLine(step)}\n${verdict.evidence.join('\n')}`;
    expect(step.target?.shedByReason?.concurrency, why).toBeGreaterThan(0);
    expect(verdict.kind, why).toBe('pool');
    expect(verdict.evidence[1], why).toMatch(
      /^overload protection guarded the connection pool: the target refused [\d,]+ of [\d,]+ requests \([\d.]+%\) — its adaptive concurrency limit/,
    );
  });
});
