/** Children with a deadline: `withDeadline`, `withDeadlineCause`, `withTimeout`, `withTimeoutCause`. */
import type { Duration } from '../units/duration.js';
import { CancelContext } from './cancel-context.js';
import type { CancelFunc, Context } from './context.js';
import { toMilliseconds } from './durations.js';

function toEpochMs(at: number | Date): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`invalid deadline: ${String(at)}`);
  return ms;
}

/** A deadline child plus its cancel function; `name` is its link in `toString()`. */
function deadlineChild(parent: Context, name: string, at: number, cause: unknown): [Context, CancelFunc] {
  const ctx = new CancelContext(parent, name, at, cause);
  return [ctx, () => ctx._cancel()];
}

/**
 * A child that ends with `DeadlineExceededError` at `at` (epoch ms or a Date) — Go's `context.WithDeadline`.
 * Its deadline is min(parent's, `at`): if the parent's is earlier, it is just a cancellable child. A deadline
 * already past makes it born `DeadlineExceeded`. The timer is unref'd (a pending deadline never keeps the process
 * alive) and `cancel()` stops it — call it when the work is done.
 */
export function withDeadline(parent: Context, at: number | Date): [ctx: Context, cancel: CancelFunc] {
  return deadlineChild(parent, 'WithDeadline', toEpochMs(at), undefined);
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
  return deadlineChild(parent, 'WithDeadlineCause', toEpochMs(at), cause);
}

/**
 * `withDeadline(parent, Date.now() + timeout)` — Go's `context.WithTimeout`. `timeout` is milliseconds or a
 * duration string (`'250ms'`, `'5s'`); zero or negative is born expired.
 * @example
 * const [ctx, cancel] = withTimeout(parent, '250ms');
 * try { await fetch(url, { signal: ctx.signal }); } finally { cancel(); }
 */
export function withTimeout(parent: Context, timeout: Duration): [ctx: Context, cancel: CancelFunc] {
  return deadlineChild(parent, 'WithTimeout', Date.now() + toMilliseconds(timeout), undefined);
}

/** `withDeadlineCause(parent, Date.now() + timeout, cause)` — Go's `context.WithTimeoutCause`. */
export function withTimeoutCause(
  parent: Context,
  timeout: Duration,
  cause: unknown,
): [ctx: Context, cancel: CancelFunc] {
  return deadlineChild(parent, 'WithTimeoutCause', Date.now() + toMilliseconds(timeout), cause);
}
