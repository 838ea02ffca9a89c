import { describe, expect, it } from 'vitest';
import { get, startService, waitFor } from './helpers.js';

/** Busy-waits `ms` on the event loop: the blocker the warning must name (reads the clock rarely, so the pause
 * mostly lands in its own code rather than in the clock's). */
function burnTheLoopForTest(ms: number): number {
  const until = Date.now() + ms;
  let spins = 0;
  while (spins % 100_000 !== 0 || Date.now() < until) spins++;
  return spins;
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
      // On a busy machine the watchdog thread may get no CPU while the loop is blocked (or may not have started):
      // its warning then has no stack. A stack it reports must be the blocker's; up to 5 blocks for one.
      let named = 0;
      for (let attempt = 0; attempt < 5 && named === 0; attempt++) {
        const seen = t.logs.length;
        expect((await get(`${t.url}/block`)).status).toBe(200);
        const warning = await waitFor(
          () => t.logs.slice(seen).find((l) => l.msg === 'event loop blocked'),
          3000,
        );
        expect(warning.blockedMs).toBeGreaterThanOrEqual(300);
        const stack = warning.stack as string[] | undefined;
        if (stack === undefined) continue;
        // The pause can land inside code the blocker calls that is not in a file (Node's internals, builtins such
        // as `Performance.hasOwnProperty (<anonymous>)`): the first frame in a file of ours is the blocker.
        const firstOwnFrame = stack.find((frame) => !/\((node:|<anonymous>|native)/.test(frame));
        expect(firstOwnFrame).toMatch(/^burnTheLoopForTest \(.*block-stack\.test\.ts:\d+:\d+\)$/);
        named++;
      }
      expect(named).toBe(1);
    } finally {
      await t.service.close();
    }
  });
});
