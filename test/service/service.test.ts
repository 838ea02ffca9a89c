import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  background,
  type Context,
  current,
  isCanceled,
  isDeadlineExceeded,
  sleep,
} from '../../src/context/index.js';
import { instrument, outboundHeaders, requestInfo } from '../../src/service/index.js';
import { get, type LogLine, sample, startService, type TestService, waitFor } from './helpers.js';

const listUsers = instrument('repo.listUsers', async (ctx: Context) => {
  await sleep(ctx, 1);
  return [{ id: 1, sameCtx: current() === ctx }];
});
const failing = instrument('repo.failing', () => {
  throw new Error('db password=hunter2 exploded');
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** The lines a request logged (by its `reqId`). */
const linesOf = (logs: LogLine[], reqId: string) => logs.filter((l) => l.reqId === reqId);

describe('service request context, logs, metrics and errors', () => {
  let t: TestService;
  let cacheSlow = true;
  /** The errors the slow handlers saw when their ctx ended, by route. */
  const ended: Record<string, unknown[]> = { slow: [], slowBack: [], hang: [] };

  beforeAll(async () => {
    let selfUrl = '';
    t = await startService(
      async (app) => {
        app.log.info({ plugin: 'routes' }, 'registering routes');
        app.get('/users/:id', async (req) => {
          req.log.info('handling user');
          const sameCtx = current() === req.ctx;
          const users = await listUsers(req.ctx);
          return {
            id: (req.params as { id: string }).id,
            sameCtx,
            afterAwait: current() === req.ctx && users[0]?.sameCtx === true,
            outbound: outboundHeaders(),
          };
        });
        const endsWithCtx = (name: string, ms: number) => async (req: { ctx: Context }) => {
          try {
            await sleep(req.ctx, ms);
            return { finished: true };
          } catch (error) {
            ended[name]?.push(error);
            throw error;
          }
        };
        app.get('/slow', endsWithCtx('slow', 5000));
        app.get('/slow-back', endsWithCtx('slowBack', 5000));
        app.get('/hang', endsWithCtx('hang', 30_000));
        app.get('/boom', async () => failing());
        app.post('/echo', async (req) => ({ got: req.body }));
        app.post('/login', async (req) => {
          req.log.info({ headers: req.headers, body: req.body }, 'login attempt');
          return { ok: true };
        });
        // The outbound helper, end to end: /front calls /back (or /slow-back) on this same service.
        app.get('/front', async (req, reply) => {
          const path = (req.query as { to?: string }).to ?? '/back';
          const res = await fetch(`${selfUrl}${path}`, {
            headers: outboundHeaders(),
            signal: req.ctx.signal,
          });
          // The callee's deadline is the caller's remaining time: it may answer 504 just before ours fires.
          return reply.code(res.status).send({ back: await res.json() });
        });
        app.get('/back', async (req) => ({
          remainingMs: (req.ctx.deadline ?? 0) - Date.now(),
          reqId: req.id,
          traceId: requestInfo()?.span.spanContext().traceId,
        }));
      },
      { BODY_LIMIT: '1024', ADMIN_TOKEN: 's3cret', LOG_LEVEL: 'info', READY_TIMEOUT: '300ms' },
      {
        checks: {
          db: async () => {},
          cache: async (ctx) => (cacheSlow ? sleep(ctx, 10_000) : undefined),
        },
      },
    );
    selfUrl = t.url;
  });
  afterAll(() => t.service.close());

  it('echoes a sane X-Request-Id and generates one otherwise; ctx is current() before and after awaits', async () => {
    const given = await get(`${t.url}/users/42`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const body = given.body as { id: string; sameCtx: boolean; afterAwait: boolean };
    expect(body).toMatchObject({ id: '42', sameCtx: true, afterAwait: true });

    const generated = await get(`${t.url}/users/1`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const none = await get(`${t.url}/users/1`);
    const id = none.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(generated.headers.get('x-request-id'));
    expect(linesOf(t.logs, id).map((l) => l.msg)).toEqual(['handling user', 'request']);
    // app.log (in plugins and routes registration) is the service logger.
    expect(t.logs.find((l) => l.msg === 'registering routes')).toMatchObject({
      name: 'test-service',
      plugin: 'routes',
    });
  });

  it('puts reqId (and traceId when traced) on every line of a request and writes one access line with the route template', async () => {
    await get(`${t.url}/users/42`, { headers: { 'x-request-id': 'ids-1', traceparent: TRACEPARENT } });
    await get(`${t.url}/boom`, { headers: { 'x-request-id': 'ids-2', traceparent: TRACEPARENT } });
    for (const reqId of ['ids-1', 'ids-2']) {
      const lines = linesOf(t.logs, reqId);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.every((l) => l.traceId === TRACE_ID)).toBe(true);
      expect(lines.filter((l) => l.msg === 'request')).toHaveLength(1);
    }
    const access = linesOf(t.logs, 'ids-1').find((l) => l.msg === 'request');
    expect(access).toMatchObject({
      method: 'GET',
      route: '/users/:id',
      status: 200,
      level: 30,
      name: 'test-service',
    });
    expect(Object.keys(access ?? {})).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'name',
      'reqId',
      'traceId',
      'method',
      'route',
      'status',
      'ms',
      'msg',
    ]);
    expect(typeof access?.ms).toBe('number');
    // The 500's error line is one of the request's lines (so it carries both ids).
    expect(linesOf(t.logs, 'ids-2').map((l) => l.msg)).toEqual(['request failed', 'request']);
    // Tracing off and no traceparent: no trace ids are made, so none is logged or sent on.
    const untraced = await get(`${t.url}/users/42`, { headers: { 'x-request-id': 'ids-3' } });
    expect((untraced.body as { outbound: Record<string, string> }).outbound.traceparent).toBeUndefined();
    const lines = linesOf(t.logs, 'ids-3');
    expect(lines.map((l) => l.msg)).toEqual(['handling user', 'request']);
    expect(lines.some((l) => 'traceId' in l)).toBe(false);
  });

  it('continues a W3C traceparent (passed through unchanged while tracing is off)', async () => {
    const res = await get(`${t.url}/users/7`, {
      headers: { traceparent: TRACEPARENT, tracestate: 'vendor=1', 'x-request-id': 'traced' },
    });
    const { outbound } = res.body as { outbound: Record<string, string> };
    expect(outbound.traceparent).toBe(TRACEPARENT);
    expect(outbound.tracestate).toBe('vendor=1');
    expect(t.logs.find((l) => l.reqId === 'traced')?.traceId).toBe(TRACE_ID);
    // A malformed traceparent is dropped: the request is untraced, nothing is propagated.
    const garbage = await get(`${t.url}/users/7`, { headers: { traceparent: 'garbage' } });
    expect((garbage.body as { outbound: Record<string, string> }).outbound.traceparent).toBeUndefined();
  });

  it('answers 504 JSON past the X-Request-Timeout / grpc-timeout deadline and cancels the handler ctx', async () => {
    const started = Date.now();
    const res = await get(`${t.url}/slow`, {
      headers: { 'x-request-timeout': '150ms', 'x-request-id': 'late' },
    });
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ error: 'deadline exceeded' });
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => (ended.slow?.length === 1 ? true : undefined), 2000);
    expect(isDeadlineExceeded(ended.slow?.[0])).toBe(true);
    expect(linesOf(t.logs, 'late').find((l) => l.msg === 'request')).toMatchObject({
      route: '/slow',
      status: 504,
    });

    const grpcStarted = Date.now();
    const grpc = await get(`${t.url}/slow`, { headers: { 'grpc-timeout': '100m' } });
    expect(grpc.status).toBe(504);
    expect(Date.now() - grpcStarted).toBeLessThan(2000);
    expect((await get(`${t.url}/users/1`, { headers: { 'grpc-timeout': '0m' } })).status).toBe(504);
    const bad = await get(`${t.url}/users/1`, { headers: { 'x-request-timeout': 'soon' } });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/X-Request-Timeout/);
  });

  it('caps the asked timeout at REQUEST_TIMEOUT and uses it when none is asked', async () => {
    const asked = await get(`${t.url}/users/1`, { headers: { 'x-request-timeout': '1h' } });
    const remaining = (h: Record<string, string>) => Number.parseInt(h['x-request-timeout'] ?? '', 10);
    const askedLeft = remaining((asked.body as { outbound: Record<string, string> }).outbound);
    expect(askedLeft).toBeLessThanOrEqual(10_000);
    expect(askedLeft).toBeGreaterThan(9000);
    const none = await get(`${t.url}/users/1`);
    const noneLeft = remaining((none.body as { outbound: Record<string, string> }).outbound);
    expect(noneLeft).toBeLessThanOrEqual(10_000);
    expect(noneLeft).toBeGreaterThan(9000);
  });

  it('passes the remaining deadline, request id and trace context to outbound fetches', async () => {
    const res = await get(`${t.url}/front`, {
      headers: { 'x-request-timeout': '3s', 'x-request-id': 'chain-1', traceparent: TRACEPARENT },
    });
    expect(res.status).toBe(200);
    const { back } = res.body as { back: { remainingMs: number; reqId: string; traceId: string } };
    expect(back.remainingMs).toBeLessThanOrEqual(3000);
    expect(back.remainingMs).toBeGreaterThan(1500);
    expect(back.reqId).toBe('chain-1');
    expect(back.traceId).toBe(TRACE_ID);
    // Both hops logged under the same ids.
    const access = linesOf(t.logs, 'chain-1').filter((l) => l.msg === 'request');
    expect(access.map((l) => l.route).sort()).toEqual(['/back', '/front']);
    expect(access.every((l) => l.traceId === TRACE_ID)).toBe(true);
  });

  it('stops downstream work at the caller deadline: both hops answer 504 and both ctxs end', async () => {
    const started = Date.now();
    const res = await get(`${t.url}/front?to=/slow-back`, {
      headers: { 'x-request-timeout': '300ms', 'x-request-id': 'chain-2' },
    });
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => (ended.slowBack?.length === 1 ? true : undefined), 2000);
    expect(isDeadlineExceeded(ended.slowBack?.[0]) || isCanceled(ended.slowBack?.[0])).toBe(true);
    const statuses = await waitFor(() => {
      const lines = linesOf(t.logs, 'chain-2').filter((l) => l.msg === 'request');
      return lines.length === 2 ? lines.map((l) => `${l.route} ${l.status}`).sort() : undefined;
    }, 2000);
    // The callee ends at its own deadline (504) or, when the caller's fires first, as a client gone away (499).
    expect(statuses[0]).toBe('/front 504');
    expect(['/slow-back 504', '/slow-back 499']).toContain(statuses[1]);
  });

  it('cancels the ctx when the client goes away and records the request as 499', async () => {
    const controller = new AbortController();
    const pending = fetch(`${t.url}/hang`, {
      signal: controller.signal,
      headers: { 'x-request-id': 'gone' },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => (ended.hang?.length === 1 ? true : undefined), 2000);
    expect(isCanceled(ended.hang?.[0])).toBe(true);
    const access = await waitFor(() => linesOf(t.logs, 'gone').find((l) => l.msg === 'request'), 2000);
    expect(access).toMatchObject({ route: '/hang', status: 499 });
    expect(linesOf(t.logs, 'gone').filter((l) => l.msg === 'request')).toHaveLength(1);
    const metrics = (await get(`${t.adminUrl}/metrics`)).body as string;
    expect(sample(metrics, 'http_requests_total{method="GET",route="/hang",status="499"}')).toBe(1);
    expect(sample(metrics, 'http_requests_in_flight')).toBe(0);
  });

  it('cancels every request in flight on a connection that closes, pipelined ones too (each a 499)', async () => {
    const before = ended.hang?.length ?? 0;
    const { port } = new URL(t.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Two requests back to back on one connection: both are admitted while the first one hangs.
    socket.write(
      'GET /hang HTTP/1.1\r\nhost: x\r\nx-request-id: pipe-1\r\n\r\n' +
        'GET /hang HTTP/1.1\r\nhost: x\r\nx-request-id: pipe-2\r\n\r\n',
    );
    const inflight = async () =>
      sample((await get(`${t.adminUrl}/metrics`)).body as string, 'http_requests_in_flight');
    for (const until = Date.now() + 2000; (await inflight()) !== 2; ) {
      if (Date.now() > until) throw new Error('the pipelined requests were not both admitted');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    socket.destroy();
    await waitFor(() => (ended.hang?.length === before + 2 ? true : undefined), 2000);
    expect(ended.hang?.slice(before).every(isCanceled)).toBe(true);
    for (const id of ['pipe-1', 'pipe-2']) {
      const access = await waitFor(() => linesOf(t.logs, id).find((l) => l.msg === 'request'), 2000);
      expect(access).toMatchObject({ route: '/hang', status: 499 });
    }
    expect(await inflight()).toBe(0);
  });

  it('maps malformed JSON to 400, oversize bodies to 413 (sized or chunked), hides 5xx internals, stays up', async () => {
    const json = { 'content-type': 'application/json' };
    const malformed = await get(`${t.url}/echo`, { method: 'POST', headers: json, body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(typeof (malformed.body as { error: unknown }).error).toBe('string');
    const big = await get(`${t.url}/echo`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ a: 'x'.repeat(4096) }),
    });
    expect(big.status).toBe(413);
    expect(big.body).toHaveProperty('error');
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(`"${'y'.repeat(510)}",`));
        controller.close();
      },
    });
    const chunked = await get(`${t.url}/echo`, {
      method: 'POST',
      headers: json,
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const wrongType = await get(`${t.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-unknown' },
      body: 'x',
    });
    expect(wrongType.status).toBe(415);
    const ok = await get(`${t.url}/echo`, { method: 'POST', headers: json, body: '{"a":1}' });
    expect(ok.body).toEqual({ got: { a: 1 } });
    const boom = await fetch(`${t.url}/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal server error' });
    expect(text).not.toMatch(/hunter2|at |\.ts/);
    const notFound = await get(`${t.url}/nowhere/123`);
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({ error: 'not found' });
    // Route matching decides before the body is read: an unknown path is a 404 whatever its body.
    for (const init of [
      { headers: json },
      { headers: json, body: '{' },
      { headers: { 'content-type': 'application/x-unknown' }, body: 'x' },
    ]) {
      const res = await get(`${t.url}/nowhere`, { method: 'POST', ...init });
      expect(res, JSON.stringify(init)).toMatchObject({ status: 404, body: { error: 'not found' } });
    }
    expect((await get(`${t.adminUrl}/livez`)).status).toBe(200);
  });

  it('labels RED metrics by route template, never the raw path, and instruments functions', async () => {
    await Promise.all(['/users/a', '/users/b', '/users/c', '/x/y/z'].map((p) => get(`${t.url}${p}`)));
    const text = (await get(`${t.adminUrl}/metrics`)).body as string;
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
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} \d+$/m,
    );
    expect(text).toContain('# TYPE http_requests_in_flight gauge');
    expect(text).toContain('# TYPE http_requests_shed_total counter');
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(name);
    }
    expect(
      sample(text, 'headroom_function_duration_seconds_count{name="repo.listUsers"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'headroom_function_errors_total{name="repo.failing"}')).toBeGreaterThanOrEqual(1);
  });

  it('guards /debug/* with ADMIN_TOKEN however the path is spelled; probes and /metrics stay open', async () => {
    for (const path of [
      '/debug/loglevel',
      '/debug/vars',
      '/debug/pprof/heap',
      '/%64ebug/vars',
      '/debug/%76ars',
    ]) {
      expect((await get(`${t.adminUrl}${path}`)).status, path).toBe(401);
    }
    const wrong = await get(`${t.adminUrl}/debug/vars`, { headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    const auth = { authorization: 'Bearer s3cret' };
    expect((await get(`${t.adminUrl}/%64ebug/vars`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/debug/pprof/heap`, { headers: auth })).status).toBe(200);
    for (const path of ['/livez', '/healthz', '/metrics']) {
      expect((await get(`${t.adminUrl}${path}`)).status, path).toBe(200);
    }
  });

  it('changes the log level of the running process over HTTP', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    expect((await get(`${t.adminUrl}/debug/loglevel`, { headers: auth })).body).toEqual({ level: 'info' });

    await get(`${t.url}/users/1`, { headers: { 'x-request-id': 'before-debug' } });
    expect(t.logs.some((l) => l.reqId === 'before-debug' && l.msg === 'call')).toBe(false);
    const put = await get(`${t.adminUrl}/debug/loglevel`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'debug' }),
    });
    expect(put.body).toEqual({ level: 'debug' });
    expect((await get(`${t.adminUrl}/debug/loglevel`, { headers: auth })).body).toEqual({ level: 'debug' });
    await get(`${t.url}/users/1`, { headers: { 'x-request-id': 'after-debug' } });
    expect(t.logs.find((l) => l.reqId === 'after-debug' && l.msg === 'call')).toMatchObject({
      fn: 'repo.listUsers',
      failed: false,
    });
    const bad = await get(`${t.adminUrl}/debug/loglevel`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'loud',
    });
    expect(bad.status).toBe(400);
    await get(`${t.adminUrl}/debug/loglevel`, { method: 'PUT', headers: auth, body: 'warn' });
    expect(t.service.logger.level).toBe('warn');
    await get(`${t.url}/users/1`, { headers: { 'x-request-id': 'at-warn' } });
    expect(linesOf(t.logs, 'at-warn')).toEqual([]);
    await get(`${t.adminUrl}/debug/loglevel`, { method: 'PUT', headers: auth, body: 'info' });
    expect(t.service.logger.level).toBe('info');
  });

  it('serves /debug/vars: event loop, utilization, heap, GC, handles, uptime, in-flight', async () => {
    const vars = (await get(`${t.adminUrl}/debug/vars`, { headers: { authorization: 'Bearer s3cret' } }))
      .body as Record<string, unknown>;
    expect(vars).toMatchObject({ name: 'test-service', version: '1.2.3', inflight: 0, pid: process.pid });
    for (const path of [
      'eventLoop.delayMs.p50',
      'eventLoop.delayMs.p99',
      'eventLoop.delayMs.max',
      'eventLoop.utilization',
      'memory.heapUsed',
      'memory.rss',
      'gc.count',
      'gc.pauseMs',
      'handles.active',
      'uptimeS',
    ]) {
      expect(vars, path).toHaveProperty(path);
    }
    const eventLoop = vars.eventLoop as { utilization: number; delayMs: { p99: number } };
    expect(eventLoop.utilization).toBeGreaterThanOrEqual(0);
    expect(eventLoop.utilization).toBeLessThanOrEqual(1);
    expect((vars.handles as { active: number }).active).toBeGreaterThan(0);
  });

  it('serves probes: livez, readyz with checks bounded by READY_TIMEOUT, healthz', async () => {
    expect((await get(`${t.adminUrl}/livez`)).body).toEqual({ status: 'ok' });
    const started = Date.now();
    const notReady = await get(`${t.adminUrl}/readyz`);
    expect(Date.now() - started).toBeLessThan(2000); // the cache check sleeps 10 s; READY_TIMEOUT is 300ms
    expect(notReady.status).toBe(503);
    const body = notReady.body as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.status).toBe('not ready');
    expect(body.checks.db?.ok).toBe(true);
    expect(body.checks.cache).toMatchObject({ ok: false, error: 'timed out after 300ms' });
    cacheSlow = false;
    const ready = await get(`${t.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { db: { ok: true }, cache: { ok: true } } });
    const health = (await get(`${t.adminUrl}/healthz`)).body as Record<string, unknown>;
    expect(health).toMatchObject({ name: 'test-service', version: '1.2.3', status: 'ok' });
    expect(typeof health.uptimeS).toBe('number');
    expect(typeof health.host).toBe('string');
  });

  it('serves nothing of the admin listener on the public port', async () => {
    for (const path of [
      '/livez',
      '/readyz',
      '/healthz',
      '/metrics',
      '/debug/vars',
      '/debug/loglevel',
      '/debug/pprof/heap',
      '/debug/pprof/profile?seconds=1',
    ]) {
      expect((await get(`${t.url}${path}`)).status, path).toBe(404);
    }
  });

  it('redacts authorization, cookies and passwords in logged objects', async () => {
    await get(`${t.url}/login`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer tok-123',
        cookie: 'session=cookie-456',
        'content-type': 'application/json',
        'x-request-id': 'login-1',
      },
      body: JSON.stringify({ user: 'ann', password: 'pw-789' }),
    });
    t.service.logger.info({ password: 'pw-000', authorization: 'Basic abc', cookie: 'c=1' }, 'secret test');
    const lines = [...linesOf(t.logs, 'login-1'), ...t.logs.filter((l) => l.msg === 'secret test')];
    expect(lines.map((l) => l.msg)).toEqual(['login attempt', 'request', 'secret test']);
    const text = JSON.stringify(lines);
    for (const secret of ['tok-123', 'cookie-456', 'pw-789', 'pw-000', 'Basic abc', 'c=1']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      body: { user: 'ann', password: '[redacted]' },
    });
  });
});

describe('event-loop block detection', () => {
  it('warns with the blocked duration when the loop is blocked longer than BLOCK_WARN_MS', async () => {
    const t = await startService(
      async (app) => {
        app.get('/block', async () => {
          const until = performance.now() + 400;
          while (performance.now() < until);
          return { ok: true };
        });
        app.get('/quick', async () => ({ ok: true }));
      },
      { BLOCK_WARN_MS: '150' },
    );
    try {
      expect((await get(`${t.url}/quick`)).status).toBe(200);
      await get(`${t.url}/block`);
      const warning = await waitFor(() => t.logs.find((l) => l.msg === 'event loop blocked'), 2000);
      expect(warning.level).toBe(40);
      expect(warning.blockedMs).toBeGreaterThanOrEqual(300);
    } finally {
      await t.service.close();
    }
  });
});

describe('IMPLICIT_CONTEXT=off', () => {
  it('keeps req.ctx and the deadline queue 504, and warns once when current() falls back to background()', async () => {
    const t = await startService(
      async (app) => {
        app.get('/explicit', async (req) => {
          const implicit = current();
          return { reqId: requestInfo(req.ctx)?.id, implicitIsBackground: implicit === background() };
        });
        // No asked timeout: the service's REQUEST_TIMEOUT, enforced by the shared deadline queue.
        app.get('/hang', async (req) => {
          await req.ctx.done;
          throw req.ctx.err;
        });
      },
      { IMPLICIT_CONTEXT: 'off', REQUEST_TIMEOUT: '150ms' },
    );
    try {
      const first = await get(`${t.url}/explicit`, { headers: { 'x-request-id': 'explicit-1' } });
      expect(first.body).toEqual({ reqId: 'explicit-1', implicitIsBackground: true });
      await get(`${t.url}/explicit`);
      const warnings = t.logs.filter((l) => l.level === 40 && String(l.msg).includes('IMPLICIT_CONTEXT=off'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.msg).toContain('req.ctx');

      const hang = await get(`${t.url}/hang`);
      expect(hang.status).toBe(504);
      expect(hang.body).toEqual({ error: 'deadline exceeded' });
    } finally {
      await t.service.close();
    }
  });
});
