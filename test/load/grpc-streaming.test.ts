/**
 * `load grpc://…` on a server-streaming method against a real @grpc/grpc-js server: the call's latency is to its
 * end (trailers), the first message is timed on its own, every message is counted (also those split over DATA
 * frames), a status after some messages is an error, and `headroom merge` merges the new figures exactly.
 * Client-streaming and bidirectional methods are one line, exit 2.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { mergeResults } from '../../src/load/merge.js';
import { renderSummary } from '../../src/load/render/summary.js';
import { renderLoadReport } from '../../src/report/load-report.js';
import { type EchoServer, ECHO_PROTO as PROTO, startWatchServer } from '../support/grpc-echo.js';
import { runSourceCli } from '../support/source-cli.js';

/** Messages per call and the pause before each: a call's first message comes after DELAY_MS, its end after K×. */
const K = 5;
const DELAY_MS = 40;
/** Every other message is larger than an HTTP/2 frame (16 KB), so its bytes arrive in several DATA frames. */
const LARGE = 'x'.repeat(40_000);

let server: EchoServer | undefined;
afterEach(() => server?.close());

it('times the first message and the end of each call, and counts every message', async () => {
  let written = 0;
  let calls = 0;
  server = await startWatchServer((call) => {
    calls++;
    let i = 0;
    const next = () => {
      written++;
      call.write({ text: i % 2 === 1 ? LARGE : call.request.text });
      if (++i < call.request.userId) setTimeout(next, DELAY_MS);
      else call.end();
    };
    setTimeout(next, DELAY_MS);
  });
  const r = await load({
    url: server.url,
    proto: PROTO,
    call: 'bench.Echo/Watch',
    body: JSON.stringify({ text: 'hi', userId: K }),
    connections: 4,
    pipelining: 8,
    requests: 96,
    threads: 1,
  });
  const s = r.grpcStreaming;
  const first = s?.firstMessageMs;
  console.log(
    `streaming ${K}×${DELAY_MS}ms: first message p50 ${first?.p50}ms p99 ${first?.p99}ms; end p50 ${r.latencyMs.p50}ms p99 ${r.latencyMs.p99}ms`,
  );
  expect(r.requests.completed).toBe(96);
  expect(r.requests.errors).toBe(0);
  expect(calls).toBe(96);
  expect(r.grpcStatus).toEqual({ OK: 96 });
  expect(s?.calls).toBe(96);
  expect(s?.messages).toBe(written);
  expect(s?.messages).toBe(96 * K);
  expect(s?.messagesPerCall).toEqual({ mean: K, min: K, max: K });
  // The first message comes after one pause, the end after K: generous bounds that still fail if they were swapped
  // or the same.
  expect(first?.p50).toBeGreaterThanOrEqual(DELAY_MS - 2);
  expect(first?.p50).toBeLessThan(DELAY_MS * 3);
  expect(r.latencyMs.p50).toBeGreaterThanOrEqual(K * DELAY_MS - 2);
  expect(r.latencyMs.p50).toBeLessThan(K * DELAY_MS * 2.5);
  expect(r.latencyMs.p50).toBeGreaterThan(2.5 * (first?.p50 ?? Number.POSITIVE_INFINITY));
  expect(r.histograms.firstMessage).toEqual(expect.any(String));

  const summary = renderSummary(r);
  expect(summary).toMatch(/Streaming 480 messages in 96 calls, 5 per call \(min 5, max 5\)/);
  expect(summary).toMatch(/first message p50 /);
  expect(renderLoadReport(r)).toContain('gRPC streaming');

  // Two agents' results merge exactly: counts summed, the first-message histogram merged (same percentiles here).
  const merged = mergeResults([
    { source: 'a.json', result: r },
    { source: 'b.json', result: structuredClone(r) },
  ]);
  expect(merged.grpcStreaming?.calls).toBe(192);
  expect(merged.grpcStreaming?.messages).toBe(2 * written);
  expect(merged.grpcStreaming?.messagesPerCall).toEqual({ mean: K, min: K, max: K });
  expect(merged.grpcStreaming?.firstMessageMs).toEqual(first);
});

it('counts a status after some messages as an error of that status, with the messages it got', async () => {
  let written = 0;
  let calls = 0;
  let failed = 0;
  server = await startWatchServer((call) => {
    const n = ++calls;
    // Every call writes 3 messages; every 4th then ends UNAVAILABLE after 2, every 5th gets no message at all.
    if (n % 5 === 0) {
      call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'none' });
      return;
    }
    for (let i = 0; i < (n % 4 === 0 ? 2 : 3); i++) {
      written++;
      call.write({ text: 'm' });
    }
    if (n % 4 === 0) {
      failed++;
      setTimeout(() => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'gone' }), 5);
    } else call.end();
  });
  const r = await load({
    url: server.url,
    proto: PROTO,
    call: 'bench.Echo/Watch',
    connections: 2,
    pipelining: 4,
    requests: 200,
    // In worker threads: the counters and the first-message histogram cross the thread boundary.
    threads: 2,
  });
  const trailersOnly = Math.floor(calls / 5);
  expect(calls).toBe(200);
  expect(r.requests.completed).toBe(200);
  expect(r.grpcStatus).toEqual({
    OK: 200 - failed - trailersOnly,
    UNAVAILABLE: failed,
    RESOURCE_EXHAUSTED: trailersOnly,
  });
  expect(r.errorsByKind).toEqual({ 'grpc-UNAVAILABLE': failed, 'grpc-RESOURCE_EXHAUSTED': trailersOnly });
  expect(r.requests.errors).toBe(failed + trailersOnly);
  expect(r.grpcStreaming?.calls).toBe(200);
  expect(r.grpcStreaming?.messages).toBe(written);
  expect(r.grpcStreaming?.messagesPerCall.min).toBe(0);
  expect(r.grpcStreaming?.messagesPerCall.max).toBe(3);
});

it('refuses client-streaming and bidirectional methods with one line, exit 2, before any call', async () => {
  const uploads = path.join(path.dirname(PROTO), 'uploads.proto');
  for (const [method, kind] of [
    ['Upload', 'client'],
    ['Chat', 'bidirectional'],
  ]) {
    const run = await runSourceCli([
      'load',
      'grpc://127.0.0.1:1',
      '--proto',
      uploads,
      '--call',
      `bench.Uploads/${method}`,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `bench.Uploads/${method} is ${kind}-streaming; only unary and server-streaming calls are supported`,
      ),
    );
    expect(run.stdout).toBe('');
  }
});
