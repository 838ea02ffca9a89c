/** The Context contract every context in the tree fulfils (Go's `context.Context`, shaped for JavaScript). */
import type { ContextError } from './errors.js';
import type { Key, KeyWithDefault } from './key.js';

/**
 * Carries a deadline, a cancellation signal and request-scoped values across API boundaries. Contexts are
 * immutable: derive children with `withCancel`, `withTimeout`, `withValue`…; cancelling a parent cancels every
 * descendant, never the other way round.
 */
export interface Context {
  /**
   * An AbortSignal aborted (with `err` as its reason) when the context ends — hand it to fetch, undici, pg,
   * streams. Created on first access; contexts that never end return a signal that never aborts.
   */
  readonly signal: AbortSignal;
  /** The absolute deadline in epoch ms, or `undefined` for none. A child's deadline is min(parent's, own). */
  readonly deadline: number | undefined;
  /**
   * `undefined` while live; then for good `CanceledError` (cancelled) or `DeadlineExceededError` (deadline
   * passed). Reading it after the deadline ends the context even if its timer has not fired yet (a busy loop
   * checking `err` still stops on time).
   */
  readonly err: ContextError | undefined;
  /**
   * Why the context ended (Go's `context.Cause`): the cause given to a cause-taking cancel function or to
   * `withTimeoutCause`, inherited from the parent that ended it; `err` when none was given; `undefined` while live.
   */
  cause(): unknown;
  /** Resolves (never rejects) when the context ends. Created lazily; for a context that never ends, never resolves. */
  readonly done: Promise<void>;
  /** Throws `err` if the context has ended; otherwise does nothing. */
  throwIfDone(): void;
  /** The value carried for `key` by this context or its nearest ancestor, else the key's default. */
  value<T>(key: KeyWithDefault<T>): T;
  value<T>(key: Key<T>): T | undefined;
}

/** Cancels its context with `CanceledError`; idempotent, and it stops the timer and unlinks from the parent. */
export type CancelFunc = () => void;

/**
 * Cancels its context with `CanceledError` and records `cause` (read back with `ctx.cause()`); only the first
 * call counts. Without a cause (or with `undefined` or `null`, Go's nil), `cause()` returns the `CanceledError`.
 */
export type CancelCauseFunc = (cause?: unknown) => void;
