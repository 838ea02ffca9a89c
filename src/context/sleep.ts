/** Waiting that stops with its context: `sleep`. */
import type { Duration } from '../units/duration.js';
import { afterFunc } from './after-func.js';
import type { Context } from './context.js';
import { MAX_TIMER_MS, toMilliseconds } from './durations.js';

/**
 * Resolves after `ms` (milliseconds or a duration string like `'50ms'`; zero or negative resolves on the next
 * timer tick) — or rejects with `ctx.err` as soon as `ctx` ends, clearing the timer. An already-ended `ctx` rejects
 * at once. Waits longer than setTimeout's limit (about 24.8 days, `Infinity` included) are armed in steps, so they
 * never fire early. The timer is not unref'd: like Go's `time.Sleep`, a sleep in progress keeps the process running.
 * @throws RangeError for NaN or a string that is not a duration.
 * @example
 * await sleep(ctx, '100ms'); // throws DeadlineExceededError if ctx's deadline passes first
 */
export function sleep(ctx: Context, ms: Duration): Promise<void> {
  let left = Math.max(toMilliseconds(ms), 0);
  const err = ctx.err;
  if (err !== undefined) return Promise.reject(err);
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = afterFunc(ctx, () => {
      clearTimeout(timer);
      reject(ctx.err);
    });
    const finish = (): void => {
      stop();
      resolve();
    };
    const arm = (): void => {
      const wait = Math.min(left, MAX_TIMER_MS);
      left -= wait;
      timer = setTimeout(left > 0 ? arm : finish, wait);
    };
    arm();
  });
}
