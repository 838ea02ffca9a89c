import type { LimitsStep } from '../../../src/limits/index.js';

/**
 * A failing bisect step for classifier tests: 2 s at 500 req/s (480 answered), p99 300 ms against `p99<100ms`, no
 * target or host signals — each field replaced by `overrides`.
 */
export function syntheticStep(overrides: Partial<LimitsStep>): LimitsStep {
  return {
    phase: 'bisect',
    offeredRps: 500,
    achievedRps: 480,
    durationS: 2,
    p50Ms: 90,
    p99Ms: 300,
    p999Ms: 400,
    errorRate: 0,
    pass: false,
    failures: ['p99<100ms broken'],
    slo: [],
    sentRps: 500,
    generatorBound: false,
    sendLagP99Ms: 0,
    latencyFromSendMs: null,
    generatorWarnings: [],
    generatorLimited: false,
    target: null,
    host: null,
    ...overrides,
  };
}
