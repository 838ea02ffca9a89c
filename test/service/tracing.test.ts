/**
 * OTLP export against a tiny local OTLP/HTTP receiver. Tracing is process-wide (one tracer provider), so this file
 * holds the only service with OTEL_EXPORTER_OTLP_ENDPOINT set (vitest runs each file in its own process).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, sleep } from '../../src/context/index.js';
import { instrument, outboundHeaders } from '../../src/service/index.js';
import { get, startService, type TestService } from './helpers.js';

/** The fields of an exported OTLP/JSON span this test reads. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/** A minimal OTLP/HTTP receiver: collects what arrives on POST /v1/traces. */
function startReceiver(): Promise<{ server: Server; url: string; requests: OtlpRequest[]; paths: string[] }> {
  const requests: OtlpRequest[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      requests.push(JSON.parse(body.toString('utf8')) as OtlpRequest);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, requests, paths });
    });
  });
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';

const lookup = instrument('repo.lookup', async (ctx: Context) => {
  await sleep(ctx, 2);
  return 1;
});
const broken = instrument('repo.broken', async (_ctx: Context) => {
  throw new Error('nope');
});

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let t: TestService;
  let outbound: Record<string, string> = {};

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startService(
      async (app) => {
        app.get('/items/:id', async (req) => {
          await lookup(req.ctx);
          outbound = outboundHeaders();
          return { ok: true };
        });
        app.get('/fails', async (req) => {
          await broken(req.ctx);
        });
      },
      { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/` },
    );
  });
  afterAll(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

  it('exports a server span per request (continuing traceparent) with instrument() spans nested under it', async () => {
    const res = await get(`${t.url}/items/42`, {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`, 'x-request-id': 'traced-1' },
    });
    expect(res.status).toBe(200);
    expect((await get(`${t.url}/fails`)).status).toBe(500);
    expect(receiver.requests).toEqual([]); // batched: nothing is sent per request
    await t.service.close(); // shutdown flushes the batch

    expect(receiver.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    const resource = receiver.requests[0]?.resourceSpans[0]?.resource.attributes ?? [];
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'test-service' } });
    expect(resource).toContainEqual({ key: 'service.version', value: { stringValue: '1.2.3' } });
    const spans = receiver.requests.flatMap((r) =>
      r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)),
    );
    const server = spans.find((s) => s.name === 'GET /items/:id');
    const child = spans.find((s) => s.name === 'repo.lookup');
    expect(server).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_SPAN, kind: 2 }); // SERVER
    expect(server?.attributes).toContainEqual({ key: 'http.route', value: { stringValue: '/items/:id' } });
    expect(server?.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: 200 } });
    expect(child).toMatchObject({ traceId: TRACE_ID, parentSpanId: server?.spanId });
    // The outbound helper hands the callee this request's span as parent, sampled.
    expect(outbound.traceparent).toBe(`00-${TRACE_ID}-${server?.spanId}-01`);
    // Logs carry the trace id of the exported spans.
    expect(t.logs.find((l) => l.reqId === 'traced-1')?.traceId).toBe(TRACE_ID);

    const failed = spans.find((s) => s.name === 'GET /fails');
    const brokenSpan = spans.find((s) => s.name === 'repo.broken');
    expect(failed?.status?.code).toBe(2); // ERROR
    expect(brokenSpan).toMatchObject({ parentSpanId: failed?.spanId, status: { code: 2 } });
  });
});
