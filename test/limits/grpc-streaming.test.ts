/**
 * `headroom limits grpc://…` on a server-streaming method against a real @grpc/grpc-js server: the search is the
 * unary one, and the SLO applies to each call's end (its trailers), not to its first message — also when a
 * generator-bound step is judged from the actual send.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import { findLimits, formatStepLine, type LimitsResult } from '../../src/limits/index.js';
import { judgeStep } from '../../src/limits/judge-step.js';
import { toMeasurement } from '../../src/limits/load-step-runner.js';
import type { LatencySummary, LoadResult } from '../../src/load/types.js';
import { ECHO_PROTO, type EchoServer, startWatchServer } from '../support/grpc-echo.js';
import { runSourceCli } from '../support/source-cli.js';

/** Each call streams 3 messages, one every 15 ms: first message ≈ 15 ms, end ≈ 45 ms. */
const MESSAGES = 3;
const PAUSE_MS = 15;

const limits = (args: string[]) => runSourceCli(['limits', ...args]);

let server: EchoServer | undefined;
afterEach(() => server?.close());

/** A Watch server taking at most `rate` calls/s (RESOURCE_EXHAUSTED beyond, before any message). */
async function bucketServer(rate: number): Promise<EchoServer> {
  const BURST = 10;
  let tokens = BURST;
  let last = performance.now();
  return startWatchServer((call) => {
    const now = performance.now();
    tokens = Math.min(BURST, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens < 1) {
      call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'over quota' });
      return;
    }
    tokens -= 1;
    let i = 0;
    const next = () => {
      call.write({ text: call.request.text });
      if (++i < MESSAGES) setTimeout(next, PAUSE_MS);
      else call.end();
    };
    setTimeout(next, PAUSE_MS);
  });
}

const request = { proto: ECHO_PROTO, call: 'bench.Echo/Watch', body: '{"text": "hi"}' };

it('finds a 300 calls/s streaming method within 5%, judging the SLO on the end of each call', async () => {
  const RATE = 300;
  server = await bucketServer(RATE);
  const run = await limits([
    server.url,
    '--proto',
    ECHO_PROTO,
    '--call',
    'bench.Echo/Watch',
    '-b',
    '{"text": "hi"}',
    '--slo',
    'p90<100ms',
    '--slo',
    'errors<1%',
    '--step',
    '1s',
    '--cooldown',
    '200ms',
    '--precision',
    '4%',
    '--max-time',
    '40s',
    '--json',
    '--no-progress',
  ]);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as LimitsResult;
  const trace = `\n${result.steps.map(formatStepLine).join('\n')}`;
  console.log(
    `gRPC streaming token bucket ${RATE}/s: capacity ${result.capacity?.rps} in ${result.searchS}s${trace}`,
  );
  expect(result.outcome, trace).toBe('found');
  expect(Math.abs((result.capacity?.rps ?? 0) - RATE), trace).toBeLessThanOrEqual(0.05 * RATE);
  // The steps' latency is the call's end (≈ 45 ms), three times its first message.
  const passing = result.steps.filter((s) => s.pass);
  expect(passing.length).toBeGreaterThan(0);
  for (const s of passing) expect(s.p50Ms, trace).toBeGreaterThanOrEqual(MESSAGES * PAUSE_MS - 2);
}, 60_000);

it('finds no rate when only the first message would meet the SLO', async () => {
  server = await bucketServer(1000);
  const result = await findLimits({
    url: server.url,
    request,
    slo: ['p50<30ms'],
    step: '500ms',
    cooldown: '100ms',
    maxTime: '20s',
  });
  const trace = `\n${result.steps.map(formatStepLine).join('\n')}`;
  expect(result.outcome, trace).toBe('no-rate-meets-slo');
  expect(result.capacity, trace).toBeNull();
}, 30_000);

it('blames a generator-bound step that broke the SLO on a streaming target when the calls end too late even from the actual send', () => {
  const ms = (v: number): LatencySummary => ({
    min: v,
    mean: v,
    p50: v,
    p75: v,
    p90: v,
    p99: v,
    p999: v,
    max: v,
  });
  // Headers after 10 ms, the end after 180 ms from the actual send: p99<100ms is broken by the target.
  const result = {
    throughput: { rps: 100, sentRps: 100 },
    durationS: 1,
    latencyMs: ms(200),
    requests: { completed: 100, errors: 0 },
    status: { '4xx': 0, '5xx': 0 },
    thresholds: [{ expr: 'p99<100ms', ok: false, actual: 200 }],
    generator: { bound: true, sendLagP99Ms: 20, warnings: ['busy generator'] },
    phasesMs: { firstByte: ms(10), response: ms(180) },
  };
  const streaming = { ...result, grpcStreaming: { calls: 100, messages: 300 } } as unknown as LoadResult;
  const step = judgeStep('bisect', toMeasurement(100, streaming, null));
  expect(step.pass).toBe(false);
  expect(step.generatorLimited).toBe(false);
  // A unary (or HTTP) response is judged on its first byte, as before.
  const unary = judgeStep('bisect', toMeasurement(100, result as unknown as LoadResult, null));
  expect(unary.generatorLimited).toBe(true);
});
