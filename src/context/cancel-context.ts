/**
 * The cancellable context behind `withCancel`, `withCancelCause`, `withDeadline` and `withTimeout`, and the tree
 * linking that cancels descendants. The hot path is lean on purpose: no AbortController, promise or error is made
 * until someone asks for `signal`, `done` or `err`; a child links to its parent through the parent's list of
 * children — intrusive and doubly linked, so linking and cancel's unlinking are a few field writes, not a `Set`
 * insert and delete (a service's root context gains and loses a child per request) — never through
 * `AbortSignal.any` (which leaks on Node 20) nor a listener on the parent's signal. Only a foreign parent (a user-written Context) is followed through one
 * `{ once: true }` listener on its signal, removed on cancel.
 */
import { BaseContext } from './base-context.js';
import type { Context } from './context.js';
import { MAX_TIMER_MS } from './durations.js';
import { CanceledError, type ContextError, DeadlineExceededError, isDeadlineExceeded } from './errors.js';
import type { Key } from './key.js';

/** Lifecycle of a cancellable context. */
const LIVE = 0;
const CANCELED = 1;
const EXPIRED = 2;
type State = typeof LIVE | typeof CANCELED | typeof EXPIRED;
type EndState = typeof CANCELED | typeof EXPIRED;

const RESOLVED: Promise<void> = Promise.resolve();

/** Something a cancellable context cancels when it ends: a child context or an `afterFunc` registration. */
export interface Canceller {
  /** Called once when the context it is linked to ends, with how it ended and the raw cause. */
  _parentEnded(state: EndState, cause: unknown): void;
  /** Its neighbours among the children of the built-in context it is linked to (undefined otherwise). */
  _prev: Canceller | undefined;
  _next: Canceller | undefined;
}

/** A link to a foreign parent: the listener on its signal, to remove on cancel. */
class ForeignLink {
  constructor(
    readonly signal: AbortSignal,
    readonly listener: () => void,
  ) {}
}

/**
 * A shared timer that enforces deadlines for many contexts (see deadline-queue.ts): it takes a context instead of
 * the context arming its own timer, and is told when that context ends first.
 */
export interface DeadlineTimer {
  /** Enforces `ctx._deadline` from now on. */
  _add(ctx: CancelContext): void;
  /** `ctx` ended: stop enforcing its deadline. */
  _remove(ctx: CancelContext): void;
}

/** Where a canceller is linked: a built-in cancellable context's children, or a foreign parent's signal. */
export type Link = CancelContext | ForeignLink | undefined;

/**
 * Links `child` to the context `parent` reports for; if that one already ended, `child._parentEnded` is called
 * now. Returns the link to pass to `unlink` later (undefined when there is nothing to undo).
 */
export function link(parent: Context, child: Canceller): Link {
  const src = parent instanceof BaseContext ? parent._src : parent;
  if (src instanceof CancelContext) {
    if (src._deadline !== undefined) src._poll();
    if (src._state !== LIVE) {
      child._parentEnded(src._state, src._cause);
      return undefined;
    }
    const last = src._last;
    child._prev = last;
    if (last === undefined) src._first = child;
    else last._next = child;
    src._last = child;
    return src;
  }
  if (src instanceof BaseContext) return undefined; // never ends
  const err = src.err;
  if (err !== undefined) {
    child._parentEnded(isDeadlineExceeded(err) ? EXPIRED : CANCELED, src.cause());
    return undefined;
  }
  const listener = (): void => {
    child._parentEnded(isDeadlineExceeded(src.err) ? EXPIRED : CANCELED, src.cause());
  };
  const signal = src.signal;
  signal.addEventListener('abort', listener, { once: true });
  return new ForeignLink(signal, listener);
}

/** Undoes `link` (once: `from` is what that returned, and `child` still linked there). */
export function unlink(from: Link, child: Canceller): void {
  if (from instanceof CancelContext) {
    const prev = child._prev;
    const next = child._next;
    if (prev === undefined) from._first = next;
    else prev._next = next;
    if (next === undefined) from._last = prev;
    else next._prev = prev;
    child._prev = undefined;
    child._next = undefined;
  } else if (from !== undefined) from.signal.removeEventListener('abort', from.listener);
}

function onTimer(ctx: CancelContext): void {
  ctx._timer = undefined;
  const left = (ctx._deadline as number) - Date.now();
  if (ctx._clamped && left > 0) ctx._arm(left);
  else ctx._expire();
}

/** A cancellable context (internal): see the module comment for how it stays cheap. */
export class CancelContext extends BaseContext implements Canceller {
  protected readonly _name: string;
  /** Live, or how it ended (for good). */
  _state: State = LIVE;
  /** The error, made on first need. */
  _error: ContextError | undefined = undefined;
  /** The cause given when it ended; `undefined` or `null` (Go's nil) means "the error itself". */
  _cause: unknown = undefined;
  /** min(parent's deadline, own). */
  _deadline: number | undefined;
  /** The context whose timer enforces `_deadline` (this one, or the ancestor it came from). */
  _owner: CancelContext;
  /** The cause recorded when the own deadline passes. */
  _deadlineCause: unknown = undefined;
  /** The armed deadline timer (unref'd), cleared when the context ends. */
  _timer: NodeJS.Timeout | undefined = undefined;
  /** The armed timer is shorter than the deadline (setTimeout's limit): re-arm when it fires. */
  _clamped = false;
  /** The shared timer enforcing the deadline instead of `_timer`, until the context ends. */
  _shared: DeadlineTimer | undefined = undefined;
  /** Its position in `_shared` (the shared timer's bookkeeping). */
  _slot = 0;
  /** What ends with it, in the order linked: live child contexts and `afterFunc` registrations. */
  _first: Canceller | undefined = undefined;
  _last: Canceller | undefined = undefined;
  /** Its neighbours among its parent's children (see {@link Canceller}). */
  _prev: Canceller | undefined = undefined;
  _next: Canceller | undefined = undefined;
  /** Where it is linked to its parent, for `unlink` on cancel. */
  _from: Link = undefined;
  /** Behind `signal`, made on first access. */
  _controller: AbortController | undefined = undefined;
  /** `done`, made on first access. */
  _done: Promise<void> | undefined = undefined;
  /** Resolves `done` while it is pending. */
  _resolve: (() => void) | undefined = undefined;

  /**
   * Links to `parent`; with `at`, also enforces that deadline unless the parent's is earlier (Go's rule: then it
   * is just a cancellable child). A parent already ended makes it born ended; a past deadline, born expired.
   * With `shared`, that timer enforces the deadline instead of one of its own. With `key`, it also carries `val`
   * under it (what a value context on top of it would, without that second node).
   */
  constructor(
    parent: Context,
    name: string,
    at?: number,
    deadlineCause?: unknown,
    shared?: DeadlineTimer,
    key?: Key<unknown>,
    val?: unknown,
  ) {
    super(parent, null, key, val);
    this._name = name;
    const src = parent instanceof BaseContext ? parent._src : parent;
    const inherited = src.deadline;
    this._deadline = inherited;
    this._owner = src instanceof CancelContext ? src._owner : this;
    this._from = link(parent, this);
    if (this._state !== LIVE || at === undefined || (inherited !== undefined && inherited < at)) return;
    this._deadline = at;
    this._owner = this;
    this._deadlineCause = deadlineCause;
    const left = at - Date.now();
    if (left <= 0) this._expire();
    else if (shared !== undefined && left <= MAX_TIMER_MS) {
      this._shared = shared;
      shared._add(this);
    } else this._arm(left);
  }

  /** Arms (or re-arms) the unref'd deadline timer. */
  _arm(left: number): void {
    this._clamped = left > MAX_TIMER_MS;
    const timer = setTimeout(onTimer, this._clamped ? MAX_TIMER_MS : left, this);
    timer.unref();
    this._timer = timer;
  }

  /** What the cancel functions call: ends the context with `CanceledError`, recording `cause` if any. */
  _cancel(cause?: unknown): void {
    this._end(CANCELED, cause, true);
  }

  /** Ends this context because its deadline passed. */
  _expire(): void {
    this._end(EXPIRED, this._deadlineCause, true);
  }

  /** Ends it lazily if the deadline has passed but the timer has not fired yet (e.g. a busy event loop). */
  _poll(): void {
    if (this._state === LIVE && this._deadline !== undefined && Date.now() >= this._deadline) {
      this._owner._expire();
      if (this._state === LIVE) this._expire();
    }
  }

  _parentEnded(state: EndState, cause: unknown): void {
    this._end(state, cause, false);
  }

  /**
   * Ends the context and its whole subtree: idempotent; unlinks it from the parent, then records state and cause
   * and stops the timer on every live descendant (iteratively: a chain of any depth ends without recursion), and
   * only then aborts their signals and resolves their `done` promises, so every listener sees the subtree ended.
   */
  _end(state: EndState, cause: unknown, detach: boolean): void {
    if (this._state !== LIVE) return;
    if (detach) unlink(this._from, this);
    let pending: CancelContext[] | undefined;
    let notify: CancelContext[] | undefined;
    let node: CancelContext | undefined = this;
    while (node !== undefined) {
      node._state = state;
      node._cause = cause;
      node._from = undefined;
      if (node._timer !== undefined) {
        clearTimeout(node._timer);
        node._timer = undefined;
      }
      if (node._shared !== undefined) {
        node._shared._remove(node);
        node._shared = undefined;
      }
      let child = node._first;
      if (child !== undefined) {
        node._first = undefined;
        node._last = undefined;
        while (child !== undefined) {
          const next: Canceller | undefined = child._next;
          // Unlinked, so an ended child kept by someone does not keep its siblings alive.
          child._prev = undefined;
          child._next = undefined;
          if (!(child instanceof CancelContext)) child._parentEnded(state, cause);
          else if (child._state === LIVE) {
            pending ??= [];
            pending.push(child);
          }
          child = next;
        }
      }
      if (node._controller !== undefined || node._resolve !== undefined) {
        notify ??= [];
        notify.push(node);
      }
      node = pending?.pop();
    }
    if (notify !== undefined) for (const ended of notify) ended._notify();
  }

  /** Aborts the signal and resolves `done`, if anyone asked for them. */
  _notify(): void {
    if (this._controller !== undefined) this._controller.abort(this.err);
    if (this._resolve !== undefined) {
      this._resolve();
      this._resolve = undefined;
    }
  }

  get signal(): AbortSignal {
    let controller = this._controller;
    if (controller === undefined) {
      this._poll();
      controller = this._controller = new AbortController();
      if (this._state !== LIVE) controller.abort(this.err);
    }
    return controller.signal;
  }

  get deadline(): number | undefined {
    return this._deadline;
  }

  get err(): ContextError | undefined {
    if (this._deadline !== undefined) this._poll();
    if (this._state === LIVE) return undefined;
    let error = this._error;
    if (error === undefined) {
      error = this._error = this._state === CANCELED ? new CanceledError() : new DeadlineExceededError();
    }
    return error;
  }

  get done(): Promise<void> {
    let done = this._done;
    if (done === undefined) {
      if (this._deadline !== undefined) this._poll();
      done =
        this._state === LIVE
          ? new Promise<void>((resolve) => {
              this._resolve = resolve;
            })
          : RESOLVED;
      this._done = done;
    }
    return done;
  }

  cause(): unknown {
    const err = this.err;
    const cause = this._cause;
    return err === undefined || cause === undefined || cause === null ? err : cause;
  }
}
