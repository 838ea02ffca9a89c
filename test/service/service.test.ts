import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, current, isDeadlineExceeded, sleep } from '../../src/context/index.js';
import { instrument, outboundHeaders } from '../../src/service/index.js';
import { sample, startService, type TestService } from './helpers.js';

const listUsers = instrument('repo.listUsers', async (ctx: Context) => {
  await sleep(ctx, 1);
  return [{ id: 1 }];
});
const failing = instrument('repo.failing', () => {
  throw new Error('db password=hunter2 exploded');
});

describe('service request context, logs, metrics and errors', () => {
  let t: TestService;
  let deadlineSeen: Promise<unknown>;
  let resolveDeadline: (err: unknown) => void;

  beforeAll(async () => {
    deadlineSeen = new Promise((resolve) => {
      resolveDeadline = resolve;
    });
    t = await startService(
      async (app) => {
        app.get('/users/:id', async (req) => {
          req.log.info('handling user');
          return {
            id: (req.params as { id: string }).id,
            sameCtx: current() === req.ctx,
            outbound: outboundHeaders(),
            users: await listUsers(req.ctx),
          };
        });
        app.get('/slow', async (req) => {
          try {
            await sleep(req.ctx, 5000);
            return { finished: true };
          } catch (error) {
            resolveDeadline(error);
            throw error;
          }
        });
        app.get('/boom', async () => failing());
        app.post('/echo', async (req) => ({ got: req.body }));
      },
      { BODY_LIMIT: '1024', ADMIN_TOKEN: 's3cret', LOG_LEVEL: 'info', READY_TIMEOUT: '300ms' },
      { checks: { db: async () => {}, cache: async (ctx) => sleep(ctx, 10_000) } },
    );
  });
  afterAll(() => t.service.close());

  it('echoes a sane X-Request-Id and generates one otherwise; logs carry reqId and traceId', async () => {
    const given = await fetch(`${t.url}/users/42`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const body = (await given.json()) as { id: string; sameCtx: boolean; outbound: Record<string, string> };
    expect(body).toMatchObject({ id: '42', sameCtx: true });
    expect(body.outbound['x-request-id']).toBe('abc-123');
    expect(body.outbound.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(Number.parseInt(body.outbound['x-request-timeout'] ?? '', 10)).toBeGreaterThan(9000);

    const generated = await fetch(`${t.url}/users/1`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await generated.text();

    const lines = t.logs.filter((l) => l.reqId === 'abc-123');
    expect(lines.map((l) => l.msg)).toEqual(['handling user', 'request']);
    const traceIds = new Set(lines.map((l) => l.traceId));
    expect(traceIds.size).toBe(1);
    expect([...traceIds][0]).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[1]).toMatchObject({ method: 'GET', route: '/users/:id', status: 200 });
  });

  it('continues a W3C traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${t.url}/users/7`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'traced' },
    });
    const body = (await res.json()) as { outbound: { traceparent: string } };
    expect(body.outbound.traceparent.split('-')[1]).toBe(traceId);
    expect(t.logs.find((l) => l.reqId === 'traced')?.traceId).toBe(traceId);
  });

  it('answers 504 past the X-Request-Timeout deadline and cancels the handler ctx', async () => {
    const started = Date.now();
    const res = await fetch(`${t.url}/slow`, { headers: { 'x-request-timeout': '150ms' } });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: 'deadline exceeded' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(isDeadlineExceeded(await deadlineSeen)).toBe(true);
    const grpc = await fetch(`${t.url}/users/1`, { headers: { 'grpc-timeout': '0m' } });
    expect(grpc.status).toBe(504);
    const bad = await fetch(`${t.url}/users/1`, { headers: { 'x-request-timeout': 'soon' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/X-Request-Timeout/);
  });

  it('maps malformed JSON to 400, oversize bodies to 413, and hides 5xx internals', async () => {
    const json = { 'content-type': 'application/json' };
    const malformed = await fetch(`${t.url}/echo`, { method: 'POST', headers: json, body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(typeof ((await malformed.json()) as { error: unknown }).error).toBe('string');
    const big = await fetch(`${t.url}/echo`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ a: 'x'.repeat(4096) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toHaveProperty('error');
    const ok = await fetch(`${t.url}/echo`, { method: 'POST', headers: json, body: '{"a":1}' });
    expect(await ok.json()).toEqual({ got: { a: 1 } });
    const boom = await fetch(`${t.url}/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal server error' });
    expect(text).not.toMatch(/hunter2|at |\.ts/);
    const notFound = await fetch(`${t.url}/nowhere/123`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: 'not found' });
  });

  it('labels RED metrics by route template, never the raw path, and instruments functions', async () => {
    await Promise.all(
      ['/users/a', '/users/b', '/users/c', '/x/y/z'].map((p) => fetch(`${t.url}${p}`).then((r) => r.text())),
    );
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    expect(
      sample(text, 'http_requests_total{method="GET",route="/users/:id",status="200"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(
      sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/route="\/users\/a"|\/x\/y\/z/);
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/users/:id",status="200"}',
    );
    expect(text).toContain('http_requests_in_flight');
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(name);
    }
    expect(
      sample(text, 'headroom_function_duration_seconds_count{name="repo.listUsers"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'headroom_function_errors_total{name="repo.failing"}')).toBeGreaterThanOrEqual(1);
  });

  it('changes the log level of the running process over HTTP (token required)', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    expect((await fetch(`${t.adminUrl}/debug/loglevel`)).status).toBe(401);
    expect(
      (await fetch(`${t.adminUrl}/debug/vars`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect((await fetch(`${t.adminUrl}/debug/pprof/heap`)).status).toBe(401);
    expect(await (await fetch(`${t.adminUrl}/debug/loglevel`, { headers: auth })).json()).toEqual({
      level: 'info',
    });

    await fetch(`${t.url}/users/1`, { headers: { 'x-request-id': 'before-debug' } }).then((r) => r.text());
    expect(t.logs.some((l) => l.reqId === 'before-debug' && l.msg === 'call')).toBe(false);
    const put = await fetch(`${t.adminUrl}/debug/loglevel`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'debug' }),
    });
    expect(await put.json()).toEqual({ level: 'debug' });
    await fetch(`${t.url}/users/1`, { headers: { 'x-request-id': 'after-debug' } }).then((r) => r.text());
    expect(t.logs.find((l) => l.reqId === 'after-debug' && l.msg === 'call')).toMatchObject({
      fn: 'repo.listUsers',
    });
    const bad = await fetch(`${t.adminUrl}/debug/loglevel`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'loud',
    });
    expect(bad.status).toBe(400);
    await fetch(`${t.adminUrl}/debug/loglevel`, { method: 'PUT', headers: auth, body: 'info' });
    expect(t.service.logger.level).toBe('info');

    const vars = (await (await fetch(`${t.adminUrl}/debug/vars`, { headers: auth })).json()) as Record<
      string,
      unknown
    >;
    expect(vars).toMatchObject({ name: 'test-service', inflight: 0 });
    expect(vars).toHaveProperty('eventLoop.delayMs.p99');
    expect(vars).toHaveProperty('gc.count');
    expect(vars).toHaveProperty('memory.heapUsed');
    expect(vars).toHaveProperty('handles.active');
  });

  it('serves probes: livez, readyz with checks bounded by READY_TIMEOUT, healthz; redacts secrets', async () => {
    expect(await (await fetch(`${t.adminUrl}/livez`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.adminUrl}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.checks.db?.ok).toBe(true);
    expect(body.checks.cache).toMatchObject({ ok: false, error: 'timed out after 300ms' });
    expect(await (await fetch(`${t.adminUrl}/healthz`)).json()).toMatchObject({
      name: 'test-service',
      version: '1.2.3',
    });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${t.url}/debug/vars`)).status).toBe(404);
    t.service.logger.info({ password: 'pw', headers: { authorization: 'Bearer x' } }, 'secret test');
    const line = t.logs.find((l) => l.msg === 'secret test');
    expect(JSON.stringify(line)).not.toMatch(/"pw"|Bearer x/);
  });
});

describe('overload', () => {
  it('sheds beyond MAX_INFLIGHT with 503 + Retry-After at once, and serves the admitted requests', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const t = await startService(
      async (app) => {
        app.get('/wait', async () => {
          await gate;
          return { ok: true };
        });
      },
      { MAX_INFLIGHT: '2' },
    );
    try {
      const admitted = [fetch(`${t.url}/wait`), fetch(`${t.url}/wait`)];
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      const shed = await Promise.all([1, 2, 3].map(() => fetch(`${t.url}/wait`)));
      const shedMs = performance.now() - started;
      for (const res of shed) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await res.json()).toHaveProperty('error');
      }
      expect(shedMs).toBeLessThan(1000); // answered without waiting for the gate
      release();
      for (const res of await Promise.all(admitted)) expect(res.status).toBe(200);
      const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
      expect(sample(text, 'http_requests_shed_total{reason="inflight"}')).toBe(3);
      expect(sample(text, 'http_requests_in_flight')).toBe(0);
    } finally {
      release();
      await t.service.close();
    }
  });
});

describe('overload by event-loop delay', () => {
  it('sheds with reason event_loop_delay when the loop lags, keeps serving the admitted share, stays up', async () => {
    const t = await startService(
      async (app) => {
        app.get('/cpu', async () => {
          const until = performance.now() + 4;
          while (performance.now() < until);
          return { ok: true };
        });
      },
      { MAX_INFLIGHT: '0', MAX_EVENT_LOOP_DELAY: '20ms', BLOCK_WARN_MS: '0' },
    );
    try {
      const counts = { ok: 0, shed: 0, other: 0 };
      const until = Date.now() + 2500;
      const loop = async () => {
        while (Date.now() < until) {
          const res = await fetch(`${t.url}/cpu`);
          await res.text();
          if (res.status === 200) counts.ok++;
          else if (res.status === 503 && res.headers.get('retry-after') === '1') counts.shed++;
          else counts.other++;
        }
      };
      await Promise.all(Array.from({ length: 64 }, loop));
      expect(counts.other).toBe(0);
      expect(counts.ok).toBeGreaterThan(10);
      expect(counts.shed).toBeGreaterThan(0);
      expect((await fetch(`${t.adminUrl}/livez`)).status).toBe(200);
      const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
      expect(sample(text, 'http_requests_shed_total{reason="event_loop_delay"}')).toBe(counts.shed);
    } finally {
      await t.service.close();
    }
  });
});
