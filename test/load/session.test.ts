/**
 * Load sessions: one generator, its virtual users and its sockets kept across measured windows at different rates
 * and connection counts; each window counted exactly as a `load()` run would count it, against a real server.
 */

import { createServer } from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isUsageError } from '../../src/errors.js';
import { type LoadSession, openLoadSession } from '../../src/load/index.js';
import { type TestServer, writeScenario } from './helpers.js';

let server: TestServer | null = null;
let session: LoadSession | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
  await server?.close();
  server = null;
});

/** A scenario whose setup logs each virtual user in once; every request then carries its token. */
const SCENARIO = `export default {
  async setup(vu) {
    const res = await vu.fetch('/login', { method: 'POST', json: { vu: vu.id } });
    vu.state.token = (await res.json()).token;
  },
  requests: [{ path: '/work', headers: { authorization: 'Bearer {{state.token}}' } }],
};
`;

/** A server counting logins per virtual user, the sockets that carried load, and authorised requests. */
async function countingServer() {
  const counts = {
    logins: new Map<number, number>(),
    sockets: new Set<net.Socket>(),
    work: 0,
    unauthorised: 0,
  };
  const http = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/login') {
        const { vu } = JSON.parse(body) as { vu: number };
        counts.logins.set(vu, (counts.logins.get(vu) ?? 0) + 1);
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ token: `t${vu}` }));
      }
      counts.work++;
      counts.sockets.add(req.socket);
      if (!/^Bearer t\d+$/.test(req.headers.authorization ?? '')) counts.unauthorised++;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  server = {
    url,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return { http, url, counts };
}

describe('load sessions', () => {
  it('keeps virtual users and sockets across windows; grows, shrinks and reopens connections', async () => {
    const { url, counts } = await countingServer();
    session = await openLoadSession({
      url,
      scenario: writeScenario(SCENARIO, 'session.mts'),
      connections: 4,
      threads: 2,
      rate: 100,
    });
    const run = async (rate: number, connections: number) => {
      counts.work = 0;
      const r = await (session as LoadSession).run({ rate, duration: '1s', connections });
      // Every request of the window and only those: the server's count is the window's.
      expect(r.requests.completed).toBe(counts.work);
      expect(r.requests.errors).toBe(0);
      expect(r.connections).toBe(connections);
      expect(r.throughput.offeredRps).toBe(rate);
      // The open model's schedule: rate × 1 s requests, whatever the window before sent.
      expect(r.requests.sent).toBeGreaterThanOrEqual(rate * 0.95);
      expect(r.requests.sent).toBeLessThanOrEqual(rate + connections);
      return r;
    };

    await run(100, 4);
    expect([...counts.logins.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(counts.sockets.size).toBe(4);
    await run(200, 6);
    expect(counts.sockets.size).toBe(6);
    // Two virtual users more (new ids), each logged in once; the first four not again.
    expect([...counts.logins.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...counts.logins.values()].every((n) => n === 1)).toBe(true);
    await run(50, 4);
    // Fewer connections: the first four again, no socket opened.
    expect(counts.sockets.size).toBe(6);
    expect(counts.logins.size).toBe(6);
    expect(counts.unauthorised).toBe(0);
  });

  it('reopens sockets the server closed between windows, keeping the virtual users', async () => {
    const { http, url, counts } = await countingServer();
    session = await openLoadSession({
      url,
      scenario: writeScenario(SCENARIO, 'session.mts'),
      connections: 3,
      threads: 1,
      rate: 60,
    });
    counts.work = 0;
    const first = await session.run({ rate: 60, duration: '1s' });
    expect(first.requests.completed).toBe(counts.work);
    expect(counts.sockets.size).toBe(3);
    // The server drops its idle connections (an idle timeout): the next window connects again.
    http.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 100));
    counts.work = 0;
    const second = await session.run({ rate: 60, duration: '1s' });
    expect(second.requests.completed).toBe(counts.work);
    expect(second.requests.completed).toBeGreaterThan(50);
    expect(second.requests.errors).toBe(0);
    expect(counts.sockets.size).toBe(6);
    // Their setup state (the token) was kept: no new logins, every request authorised.
    expect(counts.logins.size).toBe(3);
    expect(counts.unauthorised).toBe(0);
  });

  it('ends a window early on request: drained, not cancelled', async () => {
    const { url, counts } = await countingServer();
    session = await openLoadSession({ url, connections: 4, threads: 1, rate: 100 });
    const s = session;
    const r = await s.run({ rate: 100, duration: '5s', onProgress: () => s.end() });
    // Ended after its first second: every request sent was answered and counted, none cancelled.
    expect(r.durationS).toBeLessThan(2);
    expect(r.requests.completed).toBe(counts.work);
    expect(r.requests.errors).toBe(0);
    expect(r.requests.sent).toBeLessThan(200);
    // The next window runs in full.
    counts.work = 0;
    const next = await s.run({ rate: 100, duration: '1s' });
    expect(next.durationS).toBe(1);
    expect(next.requests.completed).toBe(counts.work);
  });

  it('refuses a window of the other model, one window at a time', async () => {
    const { url } = await countingServer();
    session = await openLoadSession({ url, connections: 2, threads: 1, rate: 10 });
    const closed = await session.run({ duration: '200ms' }).catch((e: unknown) => e);
    expect(isUsageError(closed)).toBe(true);
    expect((closed as Error).message).toMatch(/open model/);
    const one = session.run({ rate: 10, duration: '300ms' });
    await expect(session.run({ rate: 10, duration: '300ms' })).rejects.toThrow(/one window at a time/);
    expect((await one).requests.completed).toBeGreaterThan(0);
  });
});
