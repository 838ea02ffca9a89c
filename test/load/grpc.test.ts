/**
 * `load grpc://…` against a real @grpc/grpc-js server: unary calls over the HTTP/2 client, the message encoded from
 * JSON, metadata sent, every `grpc-status` counted (Huffman-coded trailers as nghttp2 sends them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { ECHO_SERVICE, ECHO_PROTO as PROTO, startEchoServer } from '../support/grpc-echo.js';

let served = 0;
let failed = 0;
const texts = new Set<string>();
const tenants = new Set<string>();
/** What each call had left of the deadline its `grpc-timeout` set, as the server saw it (ms). */
const deadlinesLeft: number[] = [];
const server = new grpc.Server();
let url = '';

beforeAll(async () => {
  server.addService(ECHO_SERVICE, {
    Say: (
      call: grpc.ServerUnaryCall<{ text: string; userId: number }, object>,
      done: grpc.sendUnaryData<object>,
    ) => {
      texts.add(`${call.request.text}/${call.request.userId}`);
      tenants.add(String(call.metadata.get('x-tenant')[0]));
      deadlinesLeft.push(Number(call.getDeadline()) - Date.now());
      // Every 4th call fails: UNAVAILABLE in trailers-only responses.
      if (++served % 4 === 0) {
        failed++;
        done({ code: grpc.status.UNAVAILABLE, details: 'try later' });
      } else done(null, { text: call.request.text });
    },
  });
  new ReflectionService(protoLoader.loadSync(PROTO)).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  url = `grpc://127.0.0.1:${port}`;
});
afterAll(() => server.forceShutdown());

it('makes exactly -n unary calls and counts every grpc-status', async () => {
  const r = await load({
    url,
    proto: PROTO,
    call: 'bench.Echo/Say',
    body: '{"text": "hi", "userId": 7}',
    metadata: { 'x-tenant': 'acme' },
    timeout: '2500ms',
    connections: 4,
    pipelining: 10,
    requests: 1000,
    threads: 1,
  });
  expect(r.target).toBe(url);
  expect(r.protocol).toBe('h2');
  expect(r.requests.completed).toBe(1000);
  expect(served).toBe(1000);
  expect(r.grpcStatus).toEqual({ OK: 1000 - failed, UNAVAILABLE: failed });
  expect(r.errorsByKind).toEqual({ 'grpc-UNAVAILABLE': failed });
  expect(r.requests.errors).toBe(failed);
  expect(r.requests.sent).toBe(r.requests.completed + r.requests.errors - failed);
  expect([...texts]).toEqual(['hi/7']);
  expect([...tenants]).toEqual(['acme']);
  // --timeout travels as grpc-timeout: every call arrived with (at most) 2.5 s left.
  expect(deadlinesLeft).toHaveLength(1000);
  expect(Math.max(...deadlinesLeft)).toBeLessThanOrEqual(2500);
  expect(Math.min(...deadlinesLeft)).toBeGreaterThan(1500);
});

it('refuses a missing proto or import, an unknown or client-streaming method and a message that does not fit, before any load', async () => {
  served = 0;
  const base = { url, proto: PROTO, duration: '1s' };
  await expect(load({ url, call: 'bench.Echo/Say' })).rejects.toThrow(/needs --proto/);
  await expect(load({ ...base, call: 'bench.Echo/Shout' })).rejects.toThrow(
    /no method Shout in bench.Echo \(it has: Say, Watch\)/,
  );
  const uploads = path.join(import.meta.dirname, 'fixtures', 'uploads.proto');
  await expect(load({ ...base, proto: uploads, call: 'bench.Uploads/Upload' })).rejects.toThrow(
    /is client-streaming; only unary and server-streaming/,
  );
  await expect(load({ ...base, call: 'bench.Echo/Say', body: '{"txt": "hi"}' })).rejects.toThrow(
    /has no field txt/,
  );
  await expect(load({ ...base, call: 'bench.Echo/Say', body: '{"text": ' })).rejects.toThrow(/not JSON/);
  // An import found neither next to the proto nor in an import path.
  const api = path.join(import.meta.dirname, 'fixtures', 'imports', 'echo-api.proto');
  await expect(load({ ...base, proto: api, call: 'bench.Echo/Say' })).rejects.toThrow(
    /cannot load .*echo-api.proto: .*ENOENT/,
  );
  expect(served).toBe(0);
});

it('takes the definitions from server reflection with --reflect, and says so when the server has none', async () => {
  served = 0;
  const r = await load({
    url,
    reflect: true,
    call: 'bench.Echo/Say',
    body: '{"text": "hi"}',
    requests: 100,
    connections: 2,
    threads: 1,
  });
  expect(r.requests.completed).toBe(100);
  expect(served).toBe(100);
  expect(r.grpcStatus?.OK).toBeGreaterThan(0);

  const bare = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) =>
    bare.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  try {
    await expect(
      load({ url: `grpc://127.0.0.1:${port}`, reflect: true, call: 'bench.Echo/Say' }),
    ).rejects.toThrow(/server reflection failed .*grpc-status 12 .*\(use --proto\)/);
  } finally {
    bare.forceShutdown();
  }
});

it('calls over TLS (grpcs://, ALPN h2) with --insecure for a self-signed certificate', async () => {
  const fixtures = path.join(import.meta.dirname, 'fixtures');
  const secure = new grpc.Server();
  let calls = 0;
  secure.addService(ECHO_SERVICE, {
    Say: (_call: grpc.ServerUnaryCall<object, object>, done: grpc.sendUnaryData<object>) => {
      calls++;
      done(null, { text: 'ok' });
    },
  });
  new ReflectionService(protoLoader.loadSync(PROTO)).addToServer(secure);
  const credentials = grpc.ServerCredentials.createSsl(
    null,
    [
      {
        cert_chain: readFileSync(path.join(fixtures, 'self-signed-cert.pem')),
        private_key: readFileSync(path.join(fixtures, 'self-signed-key.pem')),
      },
    ],
    false,
  );
  const port = await new Promise<number>((resolve, reject) =>
    secure.bindAsync('127.0.0.1:0', credentials, (error, p) => (error ? reject(error) : resolve(p))),
  );
  try {
    const r = await load({
      url: `grpcs://127.0.0.1:${port}`,
      reflect: true,
      insecure: true,
      call: 'bench.Echo/Say',
      requests: 200,
      connections: 2,
      pipelining: 4,
      threads: 1,
    });
    expect(r.requests.completed).toBe(200);
    expect(calls).toBe(200);
    expect(r.grpcStatus).toEqual({ OK: 200 });
    expect(r.phasesMs.tls?.p50).toBeGreaterThan(0);
  } finally {
    secure.forceShutdown();
  }
});

it('reports a stalling server’s open-model p99 within 10% of its analytic value', async () => {
  // The server holds every call that arrives in the first 500 ms of each 2 s until that stall ends (its event loop
  // stays free, so arrivals are on schedule). At a fixed rate over exactly two periods, a share S/P = 0.25 of the
  // calls falls in a stall, one u ms into it waiting S − u: p99 = S·(1 − 0.01·P/S) = 480 ms (honesty.test.ts).
  const STALL_MS = 500;
  const PERIOD_MS = 2000;
  const ANALYTIC_P99 = STALL_MS * (1 - 0.01 / (STALL_MS / PERIOD_MS));
  const origin = performance.now();
  const stalling = await startEchoServer((call, done) => {
    const intoPeriod = (performance.now() - origin) % PERIOD_MS;
    const reply = () => done(null, { text: call.request.text });
    if (intoPeriod < STALL_MS) setTimeout(reply, STALL_MS - intoPeriod);
    else reply();
  });
  try {
    // 8 connections × 32 streams hold the 100 calls a stall gathers at 200/s: none waits for a free stream.
    const r = await load({
      url: stalling.url,
      proto: PROTO,
      call: 'bench.Echo/Say',
      body: '{"text": "hi"}',
      rate: 200,
      connections: 8,
      pipelining: 32,
      threads: 1,
      duration: '4s',
    });
    console.log(`gRPC: analytic p99 ${ANALYTIC_P99}ms; open (-R 200) p99 ${r.latencyMs.p99}ms`);
    expect(r.requests.errors).toBe(0);
    expect(r.requests.sent).toBeGreaterThanOrEqual(790);
    expect(Math.abs(r.latencyMs.p99 - ANALYTIC_P99)).toBeLessThanOrEqual(0.1 * ANALYTIC_P99);
  } finally {
    stalling.close();
  }
});
