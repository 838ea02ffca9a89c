/**
 * `load --http2` against real HTTP/2 servers: node:http2 over h2c and TLS (ALPN), nginx h2c when installed.
 * Server-side counters must equal `completed`, and every request sent ends as a response or a named error.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import type { LoadResult } from '../../src/load/types.js';
import { tempDir } from '../support/temp-dir.js';
import { httpServer, ROOT, writeScenario } from './helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const TLS_OPTIONS = {
  cert: readFileSync(path.join(FIXTURES, 'self-signed-cert.pem')),
  key: readFileSync(path.join(FIXTURES, 'self-signed-key.pem')),
};

/** A node:http2 server on 127.0.0.1:0 and its URL. */
async function h2Server(
  server: http2.Http2Server | http2.Http2SecureServer,
  scheme: 'http' | 'https',
): Promise<{ url: string; close(): Promise<void> }> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs the CLI from its TypeScript sources (no build needed); resolves with exit code and stderr. */
function runSourceCli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** Every request sent ended as a response or a no-response error. */
function accounted(r: LoadResult): void {
  expect(r.requests.sent).toBe(r.requests.completed + r.requests.errors - r.status['4xx'] - r.status['5xx']);
}

describe('h2c (prior knowledge) against node:http2', () => {
  let served = 0;
  let bodyBytes = 0;
  let server: Awaited<ReturnType<typeof h2Server>>;
  beforeAll(async () => {
    server = await h2Server(
      http2.createServer((req, res) => {
        let length = 0;
        req.on('data', (chunk: Buffer) => (length += chunk.length));
        req.on('end', () => {
          served++;
          bodyBytes += length;
          const status = /^\/status\/(\d{3})/.exec(req.url)?.[1];
          res.writeHead(status ? Number(status) : 200, { 'content-type': 'text/plain' });
          res.end(`${req.method} ${req.headers[':authority']} ${length}`);
        });
      }),
      'http',
    );
  });
  afterAll(() => server.close());

  it('sends exactly -n requests over streams in the closed model (in-process and in worker threads)', async () => {
    for (const threads of [1, 2]) {
      served = 0;
      const r = await load({
        url: server.url,
        http2: true,
        connections: 4,
        pipelining: 10,
        requests: 3000,
        threads,
      });
      expect(r.protocol).toBe('h2');
      expect(r.requests.completed).toBe(3000);
      expect(served).toBe(3000);
      expect(r.requests.errors).toBe(0);
      expect(r.status['2xx']).toBe(3000);
      expect(r.phasesMs.connect?.p50).toBeGreaterThan(0);
      expect(r.phasesMs.firstByte.p50).toBeGreaterThan(0);
      accounted(r);
    }
  });

  it('keeps the open model schedule and counts latency from the intended send time', async () => {
    served = 0;
    const r = await load({
      url: server.url,
      http2: true,
      rate: 1000,
      requests: 500,
      connections: 4,
      threads: 1,
    });
    expect(r.model).toBe('open');
    expect(r.requests.completed).toBe(500);
    expect(served).toBe(500);
    expect(r.durationS).toBeGreaterThan(0.45);
    expect(r.durationS).toBeLessThan(0.7);
    accounted(r);
  });

  it('sends bodies larger than a frame and the flow-control window', async () => {
    served = 0;
    bodyBytes = 0;
    const body = Buffer.alloc(100_000, 'x');
    const r = await load({
      url: server.url,
      http2: true,
      body,
      requests: 20,
      connections: 2,
      pipelining: 2,
      threads: 1,
    });
    expect(r.requests.completed).toBe(20);
    expect(served).toBe(20);
    expect(bodyBytes).toBe(20 * body.length);
  });

  it('decodes every status class of a templated scenario', async () => {
    const statuses = [200, 201, 299, 302, 404, 418, 500, 503];
    const scenario = writeScenario({
      vars: { n: { int: [1, 9] } },
      requests: statuses.map((s) => ({ name: String(s), path: `/status/${s}?n={{n}}`, weight: 1 })),
    });
    const r = await load({
      url: server.url,
      http2: true,
      scenario,
      requests: 800,
      connections: 2,
      pipelining: 5,
      threads: 1,
    });
    expect(r.requests.completed).toBe(800);
    const byClass = (c: number) =>
      statuses
        .filter((s) => Math.floor(s / 100) === c)
        .reduce((n, s) => n + (r.requests.byName[String(s)]?.completed ?? 0), 0);
    expect(r.status).toEqual({ '2xx': byClass(2), '3xx': byClass(3), '4xx': byClass(4), '5xx': byClass(5) });
    expect(r.errorsByKind['http-5xx']).toBe(byClass(5));
    expect(byClass(2) + byClass(3) + byClass(4) + byClass(5)).toBe(800);
  });
});

it('caps -p at the server’s SETTINGS_MAX_CONCURRENT_STREAMS and reports the cap', async () => {
  let open = 0;
  let peak = 0;
  let served = 0;
  const server = await h2Server(
    http2.createServer({ settings: { maxConcurrentStreams: 3 } }, (_req, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        served++;
        res.end('ok');
      }, 5);
    }),
    'http',
  );
  try {
    const r = await load({
      url: server.url,
      http2: true,
      connections: 1,
      pipelining: 10,
      requests: 60,
      threads: 1,
    });
    expect(r.maxConcurrentStreams).toBe(3);
    expect(r.pipelining).toBe(10);
    expect(peak).toBe(3);
    expect(r.requests.completed).toBe(60);
    expect(served).toBe(60);
  } finally {
    await server.close();
  }
});

it('counts streams the server resets as stream-reset and streams past its GOAWAY as goaway', async () => {
  let served = 0;
  let resets = 0;
  let n = 0;
  /** Per session: the last stream id of the GOAWAY it sent (streams above it are not processed). */
  const lastStream = new WeakMap<http2.ServerHttp2Session, number>();
  const server = await h2Server(
    http2.createServer((req, res) => {
      const session = req.stream.session as http2.ServerHttp2Session;
      const id = req.stream.id as number;
      if (id > (lastStream.get(session) ?? Number.POSITIVE_INFINITY)) {
        req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      if (++n % 5 === 0) {
        resets++;
        req.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      res.end('ok');
      // Every 100th response, the server ends the connection gracefully after this stream.
      if (++served % 100 === 0) {
        lastStream.set(session, id);
        session.goaway(0, id);
      }
    }),
    'http',
  );
  try {
    const r = await load({
      url: server.url,
      http2: true,
      connections: 2,
      pipelining: 8,
      duration: '1s',
      threads: 1,
    });
    expect(r.errorsByKind['stream-reset']).toBe(resets);
    expect(r.errorsByKind.goaway).toBeGreaterThan(0);
    expect(r.requests.completed).toBe(served);
    expect(r.requests.completed).toBeGreaterThan(200);
    accounted(r);
  } finally {
    await server.close();
  }
});

describe('HTTP/2 over TLS (ALPN)', () => {
  it('negotiates h2 and loads with handshake timings', async () => {
    let served = 0;
    const server = await h2Server(
      http2.createSecureServer(TLS_OPTIONS, (_req, res) => {
        served++;
        res.end('secure');
      }),
      'https',
    );
    try {
      const r = await load({
        url: server.url,
        http2: true,
        insecure: true,
        connections: 4,
        pipelining: 4,
        requests: 2000,
        threads: 1,
      });
      expect(r.protocol).toBe('h2');
      expect(r.requests.completed).toBe(2000);
      expect(served).toBe(2000);
      expect(r.phasesMs.tls?.p50).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('refuses, before any load, a TLS server whose ALPN offers only http/1.1', async () => {
    let served = 0;
    const server = https.createServer(TLS_OPTIONS, (_req, res) => {
      served++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await expect(load({ url, http2: true, insecure: true, duration: '1s' })).rejects.toThrow(
        /does not speak HTTP\/2: TLS ALPN chose http\/1\.1/,
      );
      expect(served).toBe(0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('the CLI', () => {
  it('exits 2 with one line when --http2 meets an HTTP/1.1-only server', async () => {
    let served = 0;
    const server = await httpServer((_req, res) => {
      served++;
      res.end();
    });
    try {
      const run = await runSourceCli(['load', '--http2', '-d', '1', '--no-progress', server.url]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/does not speak HTTP\/2/);
      expect(served).toBe(0);
    } finally {
      await server.close();
    }
  });
});

/** A free port in the h2 range (44000-44099), for nginx, which cannot report an ephemeral port. */
async function freePort(): Promise<number> {
  for (let port = 44050; port < 44100; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 44050-44099');
}

const nginx = spawnSync('nginx', ['-v']).error === undefined;

describe.skipIf(!nginx)('nginx h2c', () => {
  let child: ChildProcess;
  let dir = '';
  let url = '';
  beforeAll(async () => {
    dir = tempDir('nginx');
    const port = await freePort();
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log; client_body_temp_path ${dir}/body;
  server { listen 127.0.0.1:${port} http2; location / { return 200 "ok"; } }
}`,
    );
    child = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
    url = `http://127.0.0.1:${port}/`;
    for (let i = 0; i < 50; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(true));
        s.on('error', () => resolve(false));
        s.on('connect', () => s.destroy());
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('nginx did not start');
  });
  // Waits for nginx to exit (it removes its pid file then): its folder is removed after this hook.
  afterAll(async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill();
    await exited;
  });

  it('serves as many requests as completed (its access log counts them)', async () => {
    const r = await load({ url, http2: true, connections: 8, pipelining: 10, requests: 5000, threads: 1 });
    expect(r.maxConcurrentStreams).toBe(128);
    expect(r.requests.completed).toBe(5000);
    expect(r.requests.errors).toBe(0);
    // nginx writes its access log line when a request finishes; give the last ones a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = readFileSync(path.join(dir, 'access.log'), 'utf8').trim().split('\n').length;
    expect(logged).toBe(5000);
  });
});
