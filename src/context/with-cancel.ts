/** Cancellable children: `withCancel`, `withCancelCause`. */
import { CancelContext } from './cancel-context.js';
import type { CancelCauseFunc, CancelFunc, Context } from './context.js';

/**
 * A child of `parent` plus the function that cancels it (Go's `context.WithCancel`). The child ends when
 * `cancel()` is called or when the parent ends, whichever comes first; it inherits the parent's deadline. A child
 * of an already-ended parent is born ended. `cancel()` is idempotent and unlinks the child from the parent —
 * call it when the work is done, or the child lives as long as the parent.
 * @example
 * const [ctx, cancel] = withCancel(parent);
 * try { await work(ctx); } finally { cancel(); }
 */
export function withCancel(parent: Context): [ctx: Context, cancel: CancelFunc] {
  const ctx = new CancelContext(parent, 'WithCancel');
  return [ctx, () => ctx._cancel()];
}

/**
 * Like `withCancel`, but `cancel(cause)` records why (Go's `context.WithCancelCause`): `ctx.err` is still
 * `CanceledError`, `ctx.cause()` returns `cause` (or the `CanceledError` when called without one, or with `undefined` or `null`). The first call wins.
 * @example
 * const [ctx, cancel] = withCancelCause(parent);
 * cancel(new Error('client went away')); ctx.cause() // Error: client went away
 */
export function withCancelCause(parent: Context): [ctx: Context, cancel: CancelCauseFunc] {
  const ctx = new CancelContext(parent, 'WithCancelCause');
  return [ctx, (cause?: unknown) => ctx._cancel(cause)];
}
