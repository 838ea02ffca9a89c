/** Running a function when a context ends: `afterFunc`. */
import { type Canceller, type Link, link, unlink } from './cancel-context.js';
import type { Context } from './context.js';

/** One `afterFunc` registration: a canceller that runs `fn` once, unless stopped first. */
class AfterFunc implements Canceller {
  private started = false;
  private from: Link = undefined;
  _prev: Canceller | undefined = undefined;
  _next: Canceller | undefined = undefined;

  constructor(private readonly fn: () => unknown) {}

  attach(ctx: Context): void {
    this.from = link(ctx, this);
  }

  _parentEnded(): void {
    if (this.started) return;
    this.started = true;
    this.from = undefined;
    queueMicrotask(() => {
      this.fn();
    });
  }

  stop(): boolean {
    if (this.started) return false;
    this.started = true;
    unlink(this.from, this);
    this.from = undefined;
    return true;
  }
}

/**
 * Arranges for `fn` to run once, on its own (in a microtask), after `ctx` ends — at once if it already has.
 * Calling it several times registers independent functions. Returns `stop()`, which unregisters `fn` and returns
 * whether it prevented `fn` from running: `true` the first time if `fn` had not started, `false` once `fn` has
 * started or after an earlier `stop()` (Go's `context.AfterFunc`).
 * @example
 * const stop = afterFunc(ctx, () => socket.destroy());
 * try { await talk(socket); } finally { stop(); }
 */
export function afterFunc(ctx: Context, fn: () => unknown): () => boolean {
  const registration = new AfterFunc(fn);
  registration.attach(ctx);
  return () => registration.stop();
}
