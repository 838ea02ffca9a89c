/** Children with a deadline: `withDeadline`, `withDeadlineCause`, `withTimeout`, `withTimeoutCause`. */
import { type Duration, parseDuration } from '../units/duration.js';
import { CancelContext } from './cancel-context.js';
import type { CancelFunc, Context } from './context.js';

const CANCELED = 1;

function toEpochMs(at: number | Date): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`invalid deadline: ${String(at)}`);
  return ms;
}

function toMs(timeout: Duration): number {
  if (typeof timeout === 'number') {
    if (Number.isNaN(timeout)) throw new RangeError(`invalid timeout: ${timeout}`);
    return timeout;
  }
  return parseDuration(timeout);
}

function make(parent: Context, name: string, at: number, cause: unknown): [Context, CancelFunc] {
  const ctx = new CancelContext(parent, name, at, cause);
  return [ctx, () => ctx._end(CANCELED, undefined, true)];
}

/**
 * A child that ends with `DeadlineExceededError` at `at` (epoch ms or a Date) — Go's `context.WithDeadline`.
 * Its deadline is min(parent's, `at`): if the parent's is earlier, it is just a cancellable child. A deadline
 * already past makes it born `DeadlineExceeded`. The timer is unref'd (a pending deadline never keeps the process
 * alive) and `cancel()` stops it — call it when the work is done.
 */
export function withDeadline(parent: Context, at: number | Date): [ctx: Context, cancel: CancelFunc] {
  return make(parent, 'WithDeadline', toEpochMs(at), undefined);
}

/**
 * Like `withDeadline`, but when the deadline passes `ctx.cause()` returns `cause` (`ctx.err` is still
 * `DeadlineExceededError`). A `cancel()` call records no cause. Go's `context.WithDeadlineCause`.
 */
export function withDeadlineCause(
  parent: Context,
  at: number | Date,
  cause: unknown,
): [ctx: Context, cancel: CancelFunc] {
  return make(parent, 'WithDeadlineCause', toEpochMs(at), cause);
}

/**
 * `withDeadline(parent, Date.now() + timeout)` — Go's `context.WithTimeout`. `timeout` is milliseconds or a
 * duration string (`'250ms'`, `'5s'`); zero or negative is born expired.
 * @example
 * const [ctx, cancel] = withTimeout(parent, '250ms');
 * try { await fetch(url, { signal: ctx.signal }); } finally { cancel(); }
 */
export function withTimeout(parent: Context, timeout: Duration): [ctx: Context, cancel: CancelFunc] {
  return make(parent, 'WithTimeout', Date.now() + toMs(timeout), undefined);
}

/** `withDeadlineCause(parent, Date.now() + timeout, cause)` — Go's `context.WithTimeoutCause`. */
export function withTimeoutCause(
  parent: Context,
  timeout: Duration,
  cause: unknown,
): [ctx: Context, cancel: CancelFunc] {
  return make(parent, 'WithTimeoutCause', Date.now() + toMs(timeout), cause);
}
