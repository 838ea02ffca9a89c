/**
 * Servers of known capacity for the limits tests: K workers with a fixed service time S (capacity K/S, FIFO
 * queue for the rest), and a token bucket that answers 503 beyond its rate. Service completions are scheduled on
 * wall-clock slots, so timer lateness adds latency but never loses capacity: the capacity is exactly K/S.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Running> {
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** K workers, service time `serviceMs` each, FIFO queue: capacity `workers * 1000 / serviceMs` req/s. */
export function startQueueServer(workers: number, serviceMs: number): Promise<Running> {
  const freeAt = new Array<number>(workers).fill(0);
  const server = createServer((_req, res) => {
    const now = performance.now();
    let slot = 0;
    for (let i = 1; i < workers; i++) if ((freeAt[i] as number) < (freeAt[slot] as number)) slot = i;
    const done = Math.max(now, freeAt[slot] as number) + serviceMs;
    freeAt[slot] = done;
    setTimeout(() => res.end('ok'), done - now);
  });
  return listen(server);
}

/** A token bucket of `rate` tokens/s and `burst` capacity: 200 while tokens last, 503 beyond. */
export function startTokenBucketServer(rate: number, burst: number): Promise<Running> {
  let tokens = burst;
  let last = performance.now();
  const server = createServer((_req, res) => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      res.end('ok');
    } else {
      res.writeHead(503, { 'retry-after': '1' }).end('busy');
    }
  });
  return listen(server);
}
