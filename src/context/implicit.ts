/** Carrying the context implicitly for logging and metrics: `run`, `current`. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { background } from './background.js';
import type { Context } from './context.js';

const storage = new AsyncLocalStorage<Context>();

/** Called (then forgotten) by the first `current()` that finds no enclosing `run`; see {@link noticeImplicitOff}. */
let offNotice: (() => void) | undefined;

/**
 * Internal, for headroom-kit/service's `IMPLICIT_CONTEXT=off` (handlers not run inside `run`): the first `current()`
 * that finds no enclosing `run` calls `notice` once, so code that relies on `current()` in a request learns it gets
 * `background()` instead of the request's Context. `undefined` disarms it (the service closed).
 */
export function noticeImplicitOff(notice: (() => void) | undefined): void {
  offNotice = notice;
}

/**
 * Runs `fn` with `ctx` as the current context for everything it calls, synchronously or asynchronously
 * (AsyncLocalStorage `run`; the previous current context is back when `fn` returns). Returns what `fn` returns.
 * Passing `ctx` explicitly as the first parameter stays the main API; this is for loggers and metrics.
 */
export function run<R>(ctx: Context, fn: () => R): R {
  return storage.run(ctx, fn);
}

/** The context set by the innermost enclosing `run`, or `background()` outside any. */
export function current(): Context {
  const ctx = storage.getStore();
  if (ctx !== undefined) return ctx;
  if (offNotice !== undefined) {
    const notice = offNotice;
    offNotice = undefined;
    notice();
  }
  return background();
}
