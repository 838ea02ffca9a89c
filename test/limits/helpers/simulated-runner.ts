/**
 * A simulated queueing server for search tests: capacity C req/s, base latency B ms. Below capacity the p99 grows
 * like a queue approaching saturation; above it the backlog grows for the whole step, so p99 explodes and only C
 * req/s complete. Time is simulated: the runner advances a fake clock by each step's length (plus any overhead).
 */

import type { StepMeasurement, StepRequest, StepRunner } from '../../../src/limits/step-runner.js';
import { parseThreshold, thresholdHolds } from '../../../src/load/thresholds.js';

export interface SimulatedServer {
  capacity: number;
  baseMs?: number;
  /** Rates at or above this make the generator report itself bound. */
  generatorLimit?: number;
  /** Fail these (rate, nth time seen) once, to model noise. */
  flaky?: (request: StepRequest, seen: number) => boolean;
  /** The generator hiccups on these (rate, nth time seen): it flags itself and sends only 90% of the rate. */
  hiccup?: (request: StepRequest, seen: number) => boolean;
  /** Time each step costs beyond its measured length (generator start-up, drain). Default 0. */
  overheadMs?: number;
}

export interface Simulation {
  runner: StepRunner;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  requests: StepRequest[];
}

export function simulate(server: SimulatedServer, slo: string[]): Simulation {
  let clock = 0;
  const requests: StepRequest[] = [];
  const seen = new Map<number, number>();
  const thresholds = slo.map((expr) => parseThreshold(expr));
  const runner: StepRunner = async (request) => {
    requests.push(request);
    clock += request.durationMs + (server.overheadMs ?? 0);
    const count = (seen.get(request.rate) ?? 0) + 1;
    seen.set(request.rate, count);
    const measured = measure(server, request);
    if (server.flaky?.(request, count)) measured.p99Ms = 10_000;
    if (server.hiccup?.(request, count)) {
      measured.p99Ms = 500;
      measured.sentRps = measured.achievedRps = 0.9 * request.rate;
      measured.generatorBound = true;
      measured.generatorWarnings = ['sends slipped 400ms behind schedule (p99)'];
    }
    measured.slo = thresholds.map((t) => {
      const actual = t.metric === 'errors' ? measured.errorRate * 100 : measured.p99Ms;
      return { expr: t.expr, ok: thresholdHolds(t, actual), actual };
    });
    return measured;
  };
  return {
    runner,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    requests,
  };
}

function measure(server: SimulatedServer, { rate, durationMs }: StepRequest): StepMeasurement {
  const base = server.baseMs ?? 5;
  const rho = rate / server.capacity;
  const seconds = durationMs / 1000;
  const p99Ms = rho < 1 ? base + (base * 0.5 * rho) / (1 - rho) : base + (rho - 1) * seconds * 1000 * 0.99;
  return {
    offeredRps: rate,
    achievedRps: Math.min(rate, server.capacity, server.generatorLimit ?? rate),
    sentRps: Math.min(rate, server.generatorLimit ?? rate),
    durationS: seconds,
    p50Ms: base,
    p99Ms,
    p999Ms: p99Ms,
    errorRate: 0,
    slo: [],
    generatorBound: server.generatorLimit !== undefined && rate >= server.generatorLimit,
    sendLagP99Ms: null,
    latencyFromSendMs: null,
    generatorWarnings: [],
    target: null,
  };
}
