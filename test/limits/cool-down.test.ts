/** The cool-down between steps: drains the target's in-flight requests, but never past the search's context. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { background, withTimeout } from '../../src/context/index.js';
import { coolDown } from '../../src/limits/cool-down.js';

let inFlight = 0;
let server: Server;
let admin: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight ${inFlight}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  admin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('coolDown', () => {
  it('waits for in-flight requests to drain, within its bound', async () => {
    inFlight = 3;
    const started = performance.now();
    await coolDown(admin, background(), 400)(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    inFlight = 0;
    const again = performance.now();
    await coolDown(admin, background(), 5000)(50);
    expect(performance.now() - again).toBeLessThan(1000);
  });

  it('ends with the search context (--max-time, Ctrl-C), not after the drain bound', async () => {
    inFlight = 3;
    const [ctx, cancel] = withTimeout(background(), 300);
    const started = performance.now();
    await coolDown(admin, ctx, 5000)(50);
    cancel();
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
