import { describe, expect, it } from 'vitest';
import { get, startService } from './helpers.js';

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
      if (Number(process.versions.node.split('.')[0]) >= 24) {
        // Refused on Node 24: its inspector can abort the process while sending the trace (docs/service.md).
        const refused = await get(`${t.adminUrl}/debug/trace?seconds=1`, auth);
        expect(refused.status).toBe(501);
        expect(JSON.stringify(refused.body)).toMatch(/its inspector can abort the process/);
        return;
      }
      const tracing = get(`${t.adminUrl}/debug/trace?seconds=1`, auth);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const busy = await get(`${t.adminUrl}/debug/trace?seconds=1`, auth);
      expect(busy.status).toBe(409);
      const res = await tracing;
      expect(res.status).toBe(200);
      const trace = res.body as { traceEvents: { ph: string; name: string; cat: string; ts: number }[] };
      expect(Array.isArray(trace.traceEvents)).toBe(true);
      expect(trace.traceEvents.length).toBeGreaterThan(100);
      for (const event of trace.traceEvents) expect(typeof event.ph).toBe('string');
      const categories = new Set(trace.traceEvents.flatMap((e) => e.cat.split(',')));
      // The event loop's work while requests ran, and JS samples (what Perfetto draws as flame charts).
      expect(categories).toContain('node.async_hooks');
      expect(trace.traceEvents.some((e) => e.name === 'ProfileChunk')).toBe(true);
      // The next trace may start once this one is over.
      expect((await get(`${t.adminUrl}/debug/trace?seconds=0.2`, auth)).status).toBe(200);
    } finally {
      running = false;
      await traffic;
      await t.service.close();
    }
  });
});
