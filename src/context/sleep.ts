/** Waiting that stops with its context: `sleep`. */
import { type Duration, parseDuration } from '../units/duration.js';
import { afterFunc } from './after-func.js';
import type { Context } from './context.js';

/**
 * Resolves after `ms` (milliseconds or a duration string like `'50ms'`; zero or negative resolves at once) —
 * or rejects with `ctx.err` as soon as `ctx` ends, clearing the timer. An already-ended `ctx` rejects at once.
 * The timer is not unref'd: like Go's `time.Sleep`, a sleep in progress keeps the process running.
 * @example
 * await sleep(ctx, '100ms'); // throws DeadlineExceededError if ctx's deadline passes first
 */
export function sleep(ctx: Context, ms: Duration): Promise<void> {
  const delay =
    typeof ms === 'number' ? (Number.isNaN(ms) ? parseDuration(ms) : Math.max(ms, 0)) : parseDuration(ms);
  const err = ctx.err;
  if (err !== undefined) return Promise.reject(err);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, delay);
    const stop = afterFunc(ctx, () => {
      clearTimeout(timer);
      reject(ctx.err);
    });
  });
}
