/**
 * The pause after a step, so a backlog does not leak into the next one: the planned cool-down (0 after a pass, see
 * `search.ts`), then — when the target's metrics are known — until its in-flight requests have drained, within a
 * bound. It ends early when the
 * search's context ends (`--max-time`, Ctrl-C): the search then sees `ctx.err` and stops.
 */
import { type Context, isContextError, sleep } from '../context/index.js';
import { scrapeMetrics } from './metrics-snapshot.js';

/** Longest extra wait for the target's in-flight requests to drain. */
const DRAIN_WAIT_MS = 5000;
const POLL_MS = 100;

/** Returns the search's `sleep`: waits `ms`, then (with `admin`) until `http_requests_in_flight` reads 0. */
export function coolDown(
  admin: string | null,
  ctx: Context,
  maxDrainMs = DRAIN_WAIT_MS,
): (ms: number) => Promise<void> {
  return async (ms) => {
    try {
      await sleep(ctx, ms);
      if (!admin) return;
      const until = performance.now() + maxDrainMs;
      while (performance.now() < until) {
        const inFlight = await scrapeMetrics(admin).then(
          (s) => s.inFlight,
          () => null,
        );
        if (inFlight === null || inFlight <= 0) return;
        await sleep(ctx, POLL_MS);
      }
    } catch (error) {
      if (!isContextError(error)) throw error;
    }
  };
}
