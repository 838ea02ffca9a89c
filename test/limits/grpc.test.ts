/**
 * `headroom limits grpc://…` against real @grpc/grpc-js servers: the search is the HTTP one, the steps speak gRPC.
 * A token bucket of 400 calls/s (RESOURCE_EXHAUSTED beyond) must be found within 5%; a gRPC server exposing
 * headroom's admin port gets the bottleneck evidence an HTTP one gets; a bad method is one line, exit 2, before
 * any call.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import { findLimits, formatStepLine, type LimitsResult } from '../../src/limits/index.js';
import { ECHO_PROTO, type EchoServer, startEchoServer } from '../support/grpc-echo.js';
import { runSourceCli } from '../support/source-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { spawnFixture } from './helpers/spawn-service.js';

const IMPORTS_PROTO = path.join(path.dirname(ECHO_PROTO), 'imports', 'echo-api.proto');

const cli = (args: string[]) => runSourceCli(['limits', ...args]);

let server: EchoServer | undefined;
afterEach(() => server?.close());

it('finds a 400 calls/s token bucket (RESOURCE_EXHAUSTED beyond) within 5%', async () => {
  // A burst of 10 is small next to a 1 s step's excess: 420 calls/s (+5%) leave 10 of 420 answered
  // RESOURCE_EXHAUSTED, breaking errors<1%, while 404 calls/s and below fit.
  const RATE = 400;
  const BURST = 10;
  let tokens = BURST;
  let last = performance.now();
  let calls = 0;
  let wellFormed = 0;
  server = await startEchoServer((call, done) => {
    calls++;
    if (call.request.text === 'hi' && call.metadata.get('x-tenant')[0] === 'acme') wellFormed++;
    const now = performance.now();
    tokens = Math.min(BURST, tokens + ((now - last) / 1000) * RATE);
    last = now;
    if (tokens < 1) return done({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'over quota' });
    tokens -= 1;
    done(null, { text: call.request.text });
  });
  const run = await cli([
    server.url,
    // The proto only imports echo.proto, found through --import-paths.
    '--proto',
    IMPORTS_PROTO,
    '--import-paths',
    path.dirname(ECHO_PROTO),
    '--call',
    'bench.Echo/Say',
    '-b',
    '{"text": "hi"}',
    '--metadata',
    'x-tenant: acme',
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
    '45s',
    '--json',
    '--no-progress',
  ]);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as LimitsResult;
  const trace = `\n${result.steps.map(formatStepLine).join('\n')}`;
  console.log(`gRPC token bucket ${RATE}/s: capacity ${result.capacity?.rps} in ${result.searchS}s${trace}`);
  expect(result.target).toBe(server.url);
  expect(result.outcome, trace).toBe('found');
  expect(Math.abs((result.capacity?.rps ?? 0) - RATE), trace).toBeLessThanOrEqual(0.05 * RATE);
  const failing = result.steps.find((s) => !s.pass && s.offeredRps === result.capacity?.high);
  expect(failing?.failures.join(' ')).toMatch(/errors<1% broken/);
  expect(wellFormed).toBe(calls);
}, 60_000);

it('names the CPU bottleneck of a gRPC server exposing the admin port, with its knee profile', async () => {
  const target = await spawnFixture(path.join(import.meta.dirname, 'fixtures', 'grpc-cpu-service.ts'));
  try {
    const result = await findLimits({
      url: target.url,
      admin: target.adminUrl,
      request: { proto: ECHO_PROTO, call: 'bench.Echo/Say', body: '{"text": "hi"}' },
      slo: ['p90<100ms'],
      step: '1s',
      cooldown: '200ms',
      maxTime: '40s',
      precision: 0.1,
      profileSeconds: 2,
      profileOut: path.join(tempDir('grpc'), 'knee.pb.gz'),
    });
    const trace = `\n${result.steps.map(formatStepLine).join('\n')}\n${result.bottleneck.evidence.join('\n')}`;
    console.log(`gRPC CPU-bound server: capacity ${result.capacity?.rps} in ${result.searchS}s${trace}`);
    expect(result.outcome, trace).toBe('found');
    expect(result.steps.some((s) => s.target !== null && s.target.scrapes >= 2)).toBe(true);
    expect(result.profile, result.notes.join('\n')).not.toBeNull();
    // On a machine busy with other work (a parallel test run) the process may get less than its core: then the
    // machine is named, with the split of its cores.
    expect(['cpu', 'host-cpu'], trace).toContain(result.bottleneck.kind);
    if (result.bottleneck.kind === 'host-cpu')
      expect(result.bottleneck.evidence[0]).toMatch(/\d+% of \d+ cores busy while the target used/);
    expect(result.bottleneck.evidence.join('\n')).toMatch(/CPU [\d.]+ cores/);
    const names = result.bottleneck.topFunctions.slice(0, 3).map((f) => f.name);
    expect(
      names.some((n) => n === 'renderReport' || n.includes('stringify')),
      names.join(', '),
    ).toBe(true);
  } finally {
    await target.stop();
  }
}, 60_000);

it('exits 2 with one line for a method the proto does not define, before any call', async () => {
  let calls = 0;
  server = await startEchoServer((_call, done) => {
    calls++;
    done(null, {});
  });
  const run = await cli([server.url, '--proto', ECHO_PROTO, '--call', 'bench.Echo/Shout', '-b', '{}']);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/no method Shout in bench.Echo \(it has: Say, Watch\)/);
  expect(run.stdout).toBe('');
  expect(calls).toBe(0);
});
