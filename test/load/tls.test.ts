import { readFileSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { writeScenario } from './helpers.js';

// A self-signed certificate for CN=localhost, for tests only.
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
let served = 0;
let logins = 0;
const tokens = new Set<string>();
const server = https.createServer(
  {
    cert: readFileSync(path.join(FIXTURES, 'self-signed-cert.pem')),
    key: readFileSync(path.join(FIXTURES, 'self-signed-key.pem')),
  },
  (req, res) => {
    if (req.url === '/login') return res.end(JSON.stringify({ token: `t${logins++}` }));
    served++;
    if (req.headers.authorization) tokens.add(req.headers.authorization);
    res.end('secure');
  },
);
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

it('refuses a self-signed certificate unless --insecure, then loads over TLS with handshake timings', async () => {
  await expect(load({ url, duration: '1s', threads: 1 })).rejects.toThrow(/cannot reach .*--insecure/);
  served = 0;
  const r = await load({ url, insecure: true, connections: 4, threads: 1, duration: '1s' });
  expect(r.requests.completed).toBeGreaterThan(100);
  expect(r.requests.completed).toBe(served);
  expect(r.requests.errors).toBe(0);
  expect(r.phasesMs.tls?.p50).toBeGreaterThan(0);
  expect(r.phasesMs.tls?.max).toBeLessThan(2000);
  expect(r.phasesMs.connect?.p50).toBeGreaterThan(0);
});

it('runs a scenario whose setup logs in over https with --insecure', async () => {
  const scenario = writeScenario(
    `export default {
      setup: async (vu) => {
        const r = await vu.fetch('/login', { method: 'POST', json: { id: vu.id } });
        vu.state.token = (await r.json()).token;
      },
      requests: [{ path: '/secure', headers: { authorization: 'Bearer {{state.token}}' } }],
    };`,
    'login.mjs',
  );
  tokens.clear();
  served = 0;
  logins = 0;
  const r = await load({ url, insecure: true, connections: 3, threads: 1, duration: '500ms', scenario });
  expect(r.requests.errors).toBe(0);
  expect(r.requests.completed).toBe(served);
  expect([...tokens].sort()).toEqual(['Bearer t0', 'Bearer t1', 'Bearer t2']);
});

it('times out a TLS handshake that never completes, counts it, and still ends the run', async () => {
  // The first connection (the start-up probe) reaches the real server; later ones hang after the TCP connect.
  let connections = 0;
  const silent: net.Socket[] = [];
  const target = (server.address() as AddressInfo).port;
  const proxy = net.createServer((socket) => {
    if (connections++ === 0) socket.pipe(net.connect(target, '127.0.0.1')).pipe(socket);
    else silent.push(socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const proxied = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}/`;
    const started = performance.now();
    const r = await load({
      url: proxied,
      insecure: true,
      connections: 2,
      threads: 1,
      duration: '1s',
      timeout: '200ms',
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.requests.completed).toBe(0);
    expect(r.requests.timeouts).toBeGreaterThan(0);
    expect(r.errorsByKind).toEqual({ timeout: r.requests.timeouts });
  } finally {
    for (const s of silent) s.destroy();
    proxy.close();
  }
});
