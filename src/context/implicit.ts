/** Carrying the context implicitly for logging and metrics: `run`, `current`. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { background } from './background.js';
import type { Context } from './context.js';

const storage = new AsyncLocalStorage<Context>();

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
  return storage.getStore() ?? background();
}
