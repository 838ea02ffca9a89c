/**
 * The errors a Context reports, with Go's messages. `ctx.err` is `undefined` while the context is live, then one
 * of these for good: `CanceledError` after a cancel function (or a cancelled parent), `DeadlineExceededError`
 * after the deadline passed.
 */

/** `ctx.err` after the context was cancelled (Go's `context.Canceled`): message `"context canceled"`. */
export class CanceledError extends Error {
  override name = 'CanceledError';
  constructor() {
    super('context canceled');
  }
}

/**
 * `ctx.err` after the context's deadline passed (Go's `context.DeadlineExceeded`): message
 * `"context deadline exceeded"`. `timeout` is always true, as Go's error reports `Timeout() == true`.
 */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
  /** Always true: this error is a timeout. */
  readonly timeout = true;
  constructor() {
    super('context deadline exceeded');
  }
}

/**
 * `firstOf` found no value: every task finished without reporting one. `errors` holds what the failed tasks threw
 * (empty when they all simply found nothing); `cause` is the first of them.
 */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  /** The failures of the tasks that threw, in the order they failed. */
  readonly errors: readonly unknown[];
  constructor(message = 'not found', errors: readonly unknown[] = []) {
    super(message, errors.length > 0 ? { cause: errors[0] } : undefined);
    this.errors = errors;
  }
}

/** The two errors `ctx.err` can hold. */
export type ContextError = CanceledError | DeadlineExceededError;

/** True when `err` is a `CanceledError` (the context was cancelled, not timed out). */
export function isCanceled(err: unknown): err is CanceledError {
  return err instanceof CanceledError;
}

/** True when `err` is a `DeadlineExceededError` (the context's deadline passed). */
export function isDeadlineExceeded(err: unknown): err is DeadlineExceededError {
  return err instanceof DeadlineExceededError;
}

/** True when `err` is either context error: the work stopped because its context ended. */
export function isContextError(err: unknown): err is ContextError {
  return err instanceof CanceledError || err instanceof DeadlineExceededError;
}
