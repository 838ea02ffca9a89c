import { describe, expect, it } from 'vitest';
import { get, startService, waitFor } from './helpers.js';

/** Busy-waits `ms` on the event loop: the blocker the warning must name. */
function burnTheLoopForTest(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('event-loop block warnings', () => {
  it('name the function the loop was blocked in', async () => {
    const t = await startService(
      async (app) => {
        app.get('/block', async () => {
          burnTheLoopForTest(400);
          return { ok: true };
        });
      },
      { BLOCK_WARN_MS: '150' },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the watchdog thread starts
      expect((await get(`${t.url}/block`)).status).toBe(200);
      const warning = await waitFor(() => t.logs.find((l) => l.msg === 'event loop blocked'), 3000);
      expect(warning.blockedMs).toBeGreaterThanOrEqual(300);
      const stack = warning.stack as string[];
      expect(stack[0]).toMatch(/^burnTheLoopForTest \(.*block-stack\.test\.ts:\d+:\d+\)$/);
      expect(stack.join('\n')).toContain('burnTheLoopForTest');
    } finally {
      await t.service.close();
    }
  });
});
