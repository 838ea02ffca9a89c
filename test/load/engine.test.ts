import { afterEach, describe, expect, it } from 'vitest';
import { background, withCancel } from '../../src/context/index.js';
import { load } from '../../src/load/index.js';
import { closedPortUrl, httpServer, type TestServer, tcpServer, writeScenario } from './helpers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('load (closed model)', () => {
  it('completes exactly the requests the server answered', async () => {
    let served = 0;
    server = await httpServer((_req, res) => {
      served++;
      res.end('hello world\n');
    });
    const r = await load({ url: server.url, connections: 8, threads: 1, duration: '1s' });
    expect(r.requests.completed).toBeGreaterThan(500);
    expect(r.requests.completed).toBe(served);
    expect(r.requests.sent).toBe(served);
    expect(r.requests.errors).toBe(0);
    expect(r.status['2xx']).toBe(served);
    expect(r.timeline.length).toBe(1);
    expect(r.latencyMs.p50).toBeGreaterThan(0);
    expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
    // Closed model: a request is sent when intended, so the full response time is the latency.
    expect(r.phasesMs.response).toEqual(r.latencyMs);
    expect(r.phasesMs.firstByte.p50).toBeLessThanOrEqual(r.phasesMs.response.p50);
    expect(r.phasesMs.tls).toBeNull();
  });

  it('counts status classes and 4xx/5xx as errors', async () => {
    let i = 0;
    server = await httpServer((_req, res) => {
      const status = [200, 301, 404, 503][i++ % 4] as number;
      res.writeHead(status, { 'content-length': '2' }).end('ok');
    });
    const r = await load({ url: server.url, connections: 1, threads: 1, duration: '1s' });
    const { '2xx': s2, '3xx': s3, '4xx': s4, '5xx': s5 } = r.status;
    expect(s2 + s3 + s4 + s5).toBe(i);
    for (const n of [s3, s4, s5]) expect(Math.abs(n - s2)).toBeLessThanOrEqual(1);
    expect(r.requests.errors).toBe(s4 + s5);
    expect(r.errorsByKind['http-5xx']).toBe(s5);
  });

  it('pipelines: keeps exactly p requests in flight and matches every response to its request', async () => {
    // HEAD responses carry a Content-Length but no body: a response matched to the wrong request would
    // misframe the stream (a malformed error) or shift the per-name counts.
    const served: Record<string, number> = { a: 0, b: 0, h: 0 };
    let maxPending = 0;
    server = await tcpServer((socket) => {
      let buffered = '';
      let pending: string[] = [];
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
          const [method, path] = buffered.slice(0, end).split(' ');
          buffered = buffered.slice(end + 4);
          pending.push(method === 'HEAD' ? 'h' : (path as string).slice(1));
        }
        maxPending = Math.max(maxPending, pending.length);
        // Answer a moment later, so the generator must have the whole pipeline out to keep going.
        setImmediate(() => {
          const answers = pending.map((name) => {
            served[name] = (served[name] ?? 0) + 1;
            if (name === 'a') return 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\naaa';
            if (name === 'b')
              return 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n';
            return 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n';
          });
          pending = [];
          socket.write(answers.join(''));
        });
      });
    });
    const scenario = writeScenario({
      requests: [
        { name: 'a', weight: 2, path: '/a' },
        { name: 'b', path: '/b' },
        { name: 'h', method: 'HEAD', path: '/h' },
      ],
    });
    const r = await load({
      url: server.url,
      connections: 2,
      threads: 1,
      duration: '1s',
      pipelining: 8,
      scenario,
    });
    expect(maxPending).toBe(8);
    const total = (served.a ?? 0) + (served.b ?? 0) + (served.h ?? 0);
    expect(total).toBeGreaterThan(500);
    expect(r.requests.completed).toBe(total);
    expect(r.requests.byName.a?.completed).toBe(served.a);
    expect(r.requests.byName.h?.completed).toBe(served.h);
    expect(r.status['4xx']).toBe(served.b);
    expect(r.errorsByKind).toEqual({ 'http-4xx': served.b });
  });

  it('parses chunked bodies split across packets, with trailers', async () => {
    let served = 0;
    server = await tcpServer((socket) => {
      socket.on('data', (d) => {
        const n = d.toString('latin1').split('\r\n\r\n').length - 1;
        for (let k = 0; k < n; k++) {
          served++;
          const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
          socket.write(`${head}5\r\nhello\r\n`);
          setImmediate(() => socket.write('1;ext=1\r\n!\r\n0\r\nx-trailer: 1\r\n\r\n'));
        }
      });
    });
    const r = await load({ url: server.url, connections: 4, threads: 1, duration: '1s' });
    expect(r.requests.completed).toBeGreaterThan(50);
    expect(r.requests.completed).toBe(served);
    expect(r.requests.errors).toBe(0);
  });

  it('reconnects after Connection: close without losing requests', async () => {
    let served = 0;
    server = await httpServer((_req, res) => {
      served++;
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const r = await load({ url: server.url, connections: 4, threads: 1, duration: '1s' });
    expect(r.requests.completed).toBeGreaterThan(50);
    expect(r.requests.completed).toBe(served);
    expect(r.requests.errors).toBe(0);
    expect(r.phasesMs.connect?.p50).toBeGreaterThan(0);
    expect(r.phasesMs.connect?.max).toBeLessThan(1000);
  });

  it('counts resets, malformed responses and timeouts by kind, and keeps running', async () => {
    let n = 0;
    server = await tcpServer((socket) => {
      socket.on('data', () => {
        const k = n++ % 4;
        if (k === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else if (k === 1) socket.resetAndDestroy();
        else if (k === 2) socket.end('garbage\r\n\r\n');
        // k === 3: never answers → timeout
      });
      socket.on('error', () => {});
    });
    const r = await load({ url: server.url, connections: 4, threads: 1, duration: '1.5s', timeout: '200ms' });
    expect(r.requests.completed).toBeGreaterThan(0);
    expect(r.errorsByKind.reset).toBeGreaterThan(0);
    expect(r.errorsByKind.malformed).toBeGreaterThan(0);
    expect(r.requests.timeouts).toBeGreaterThan(0);
    expect(r.errorsByKind.timeout).toBe(r.requests.timeouts);
    expect(r.requests.errors).toBe(Object.values(r.errorsByKind).reduce((a, b) => a + b, 0));
  });

  it('counts refused connections when the target goes away mid-run, and finishes the run', async () => {
    let served = 0;
    const target = await httpServer((_req, res) => {
      served++;
      res.end('x');
    });
    server = target;
    setTimeout(() => void target.close(), 400);
    const started = performance.now();
    const r = await load({ url: target.url, connections: 4, threads: 1, duration: '1.2s' });
    expect(performance.now() - started).toBeLessThan(4000);
    expect(r.requests.completed).toBe(served);
    expect(r.errorsByKind['connect-refused']).toBeGreaterThan(0);
    expect(r.requests.errors).toBe(Object.values(r.errorsByKind).reduce((a, b) => a + b, 0));
    expect(r.timeline.at(-1)?.errors).toBeGreaterThan(0);
  });

  it("sends the caller's Host header instead of the target's, once", async () => {
    const hosts: string[][] = [];
    server = await httpServer((req, res) => {
      if (hosts.length < 5) hosts.push(req.headersDistinct.host ?? []);
      res.end('x');
    });
    await load({
      url: server.url,
      connections: 1,
      threads: 1,
      duration: '200ms',
      headers: { host: 'example.test' },
    });
    expect(hosts[0]).toEqual(['example.test']);
  });

  it('rejects an unreachable target at the start with a UsageError', async () => {
    const url = await closedPortUrl();
    await expect(load({ url, duration: '1s', threads: 1 })).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
    await expect(load({ url: 'ftp://x/', duration: '1s' })).rejects.toThrow(/unsupported protocol/);
    await expect(load({ url: 'http://127.0.0.1:1/', connections: 0 })).rejects.toThrow(/positive integer/);
  });

  it('runs worker threads from TypeScript sources and merges their counts', async () => {
    let served = 0;
    server = await httpServer((_req, res) => {
      served++;
      res.end('x');
    });
    const r = await load({ url: server.url, connections: 4, threads: 2, duration: '1s' });
    expect(r.threads).toBe(2);
    expect(r.generator.threadUtilization).toHaveLength(2);
    expect(r.requests.completed).toBe(served);
    expect(r.timeline.length).toBe(1);
  });
});

describe('load (run control)', () => {
  it('applies warm-up load without counting it', async () => {
    let served = 0;
    server = await httpServer((_req, res) => {
      served++;
      res.end('x');
    });
    const r = await load({ url: server.url, connections: 2, threads: 1, duration: '1s', warmup: '500ms' });
    expect(r.requests.completed).toBeGreaterThan(100);
    expect(served - r.requests.completed).toBeGreaterThan(r.requests.completed / 10); // warm-up was served, not counted
    expect(r.durationS).toBe(1);
  });

  it('stops early when its context is cancelled and reports what was measured', async () => {
    let served = 0;
    server = await httpServer((_req, res) => {
      served++;
      res.end('x');
    });
    const [ctx, cancel] = withCancel(background());
    setTimeout(cancel, 700);
    const started = performance.now();
    const r = await load({ url: server.url, connections: 2, threads: 1, duration: '10s', ctx });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r.durationS).toBeGreaterThan(0.5);
    expect(r.durationS).toBeLessThan(1.5);
    expect(r.requests.completed).toBe(served);
  });
});

describe('load (open model)', () => {
  it('sends at the offered rate and reports offered vs sent', async () => {
    let served = 0;
    server = await httpServer((_req, res) => {
      served++;
      res.end('x');
    });
    const r = await load({ url: server.url, connections: 4, threads: 1, duration: '2s', rate: 200 });
    expect(r.model).toBe('open');
    expect(r.throughput.offeredRps).toBe(200);
    expect(r.requests.sent).toBeGreaterThanOrEqual(390);
    expect(r.requests.sent).toBeLessThanOrEqual(401);
    expect(r.requests.completed).toBe(served);
    expect(r.throughput.sentRps).toBeGreaterThan(190);
    expect(r.generator.sendLagP99Ms).not.toBeNull();
    // Response time counts from the actual send; latency from the intended one (never later).
    expect(r.phasesMs.response.max).toBeLessThanOrEqual(r.latencyMs.max + 0.01);
  });
});
