import { AsyncResource } from 'node:async_hooks';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTracing } from 'node:trace_events';
import { afterAll, describe, expect, it } from 'vitest';
import { traceFilePattern } from '../../src/service/admin/trace-recorder.js';
import { get, startService } from './helpers.js';

type TraceEvent = { ph: string; name: string; cat: string; ts: number; pid: number };
type Trace = { traceEvents: TraceEvent[]; otherData: { droppedMalformedEvents: number } };

// This process runs with Node's default pattern: the trace files are node_trace.<rotation>.log in the working
// directory (a rotation every 512k events); the process may be ended before its exit handler removes them.
const traceFile = resolve('node_trace.1.log');

afterAll(() => {
  for (const name of readdirSync('.')) if (/^node_trace\.\d+\.log$/.test(name)) rmSync(name);
});

describe('/debug/trace', () => {
  it('returns a Chrome trace of the process while requests run, one at a time, behind the admin token', async () => {
    const t = await startService(
      async (app) => {
        app.get('/work', async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i })));
        });
      },
      { ADMIN_TOKEN: 'trace-test-token' },
    );
    const auth = { headers: { authorization: 'Bearer trace-test-token' } };
    let running = true;
    const traffic = (async () => {
      while (running) await get(`${t.url}/work`);
    })();
    try {
      expect((await get(`${t.adminUrl}/debug/trace?seconds=1`)).status).toBe(401);
      expect((await get(`${t.adminUrl}/debug/trace?seconds=61`, auth)).status).toBe(400);
      expect((await get(`${t.adminUrl}/debug/trace?seconds=abc`, auth)).status).toBe(400);
      const tracing = get(`${t.adminUrl}/debug/trace?seconds=1`, auth);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const busy = await get(`${t.adminUrl}/debug/trace?seconds=1`, auth);
      expect(busy.status).toBe(409);
      const res = await tracing;
      expect(res.status).toBe(200);
      const trace = res.body as Trace;
      expect(Array.isArray(trace.traceEvents)).toBe(true);
      expect(trace.traceEvents.length).toBeGreaterThan(100);
      for (const event of trace.traceEvents) expect(typeof event.ph).toBe('string');
      expect(new Set(trace.traceEvents.map((e) => e.pid))).toEqual(new Set([process.pid]));
      const categories = new Set(trace.traceEvents.flatMap((e) => e.cat.split(',')));
      // The event loop's work while requests ran, and JS samples (what Perfetto draws as flame charts).
      expect(categories).toContain('node.async_hooks');
      expect(categories).toContain('node.environment');
      expect(trace.traceEvents.some((e) => e.name === 'ProfileChunk')).toBe(true);
      expect(trace.otherData.droppedMalformedEvents).toBe(0);
      // What was read back is gone from the disk (the file stays open in Node's writer, emptied).
      expect(statSync(traceFile).size).toBe(0);
      // The next trace may start once this one is over, and holds only its own events.
      const next = await get(`${t.adminUrl}/debug/trace?seconds=0.2`, auth);
      expect(next.status).toBe(200);
      const nextEvents = (next.body as Trace).traceEvents.filter((e) => e.ph !== 'M');
      const firstEnd = Math.max(...trace.traceEvents.map((e) => e.ts));
      expect(nextEvents.length).toBeGreaterThan(0);
      expect(Math.min(...nextEvents.map((e) => e.ts))).toBeGreaterThan(firstEnd);
    } finally {
      running = false;
      await traffic;
      await t.service.close();
    }
  });

  it('survives what made the inspector abort: an event named with a quote, a trace buffer filling up as it stops', async () => {
    const t = await startService(async () => {}, {});
    // A library may name its async resources anything; Node writes the name into the trace JSON unescaped.
    let spinning = true;
    const spin = () => {
      const resource = new AsyncResource('quoted"name\\');
      resource.runInAsyncScope(() => {});
      resource.emitDestroy();
      if (spinning) setImmediate(spin);
    };
    try {
      spin();
      // ~200k events/s: the trace buffer (64k events) fills up and is flushed from the tracing thread, also as
      // tracing stops.
      const totals: number[] = [];
      for (const seconds of [0.8, 1.2, 1.6]) {
        const res = await get(`${t.adminUrl}/debug/trace?seconds=${seconds}`);
        expect(res.status).toBe(200);
        const trace = res.body as Trace;
        expect(trace.otherData.droppedMalformedEvents).toBeGreaterThan(0);
        expect(trace.traceEvents.filter((e) => e.cat.includes('node.environment')).length).toBeGreaterThan(
          1000,
        );
        totals.push(trace.traceEvents.length + trace.otherData.droppedMalformedEvents);
      }
      expect(Math.max(...totals)).toBeGreaterThan(65_536);
    } finally {
      spinning = false;
      await t.service.close();
    }
  });

  it('refuses while another tracer records into the same file', async () => {
    const t = await startService(async () => {}, {});
    const other = createTracing({ categories: ['v8'] });
    try {
      other.enable();
      const refused = await get(`${t.adminUrl}/debug/trace?seconds=0.1`);
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toMatch(/another tracer is recording \(categories v8\)/);
    } finally {
      other.disable();
      await t.service.close();
    }
  });

  it('reads the file pattern from the command line or NODE_OPTIONS, else uses Node default', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Node's trace file pattern placeholders
    const withPid = '/tmp/t-${pid}.log';
    expect(traceFilePattern([`--trace-event-file-pattern=${withPid}`], '')).toBe(withPid);
    expect(traceFilePattern(['--trace-event-file-pattern', 'a.log'], '')).toBe('a.log');
    expect(traceFilePattern([], '--max-old-space-size=100 --trace-event-file-pattern="/tmp/x y.log"')).toBe(
      '/tmp/x y.log',
    );
    expect(traceFilePattern([], '--trace-event-file-pattern=/tmp/z.log')).toBe('/tmp/z.log');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Node's trace file pattern placeholders
    expect(traceFilePattern([], '')).toBe('node_trace.${rotation}.log');
  });
});
