/** The context `withValue` returns: one key/value pair on top of its parent. */
import { BaseContext } from './base-context.js';
import type { Context } from './context.js';
import type { ContextError } from './errors.js';
import type { Key } from './key.js';

/** Carries one key/value; cancellation, deadline and cause are the parent's (internal). */
export class ValueContext extends BaseContext {
  protected get _name(): string {
    return `WithValue(${(this._key as Key<unknown>).name})`;
  }

  constructor(parent: Context, key: Key<unknown>, val: unknown) {
    super(parent, parent instanceof BaseContext ? parent._src : parent, key, val);
  }

  get signal(): AbortSignal {
    return this._src.signal;
  }
  get deadline(): number | undefined {
    return this._src.deadline;
  }
  get err(): ContextError | undefined {
    return this._src.err;
  }
  get done(): Promise<void> {
    return this._src.done;
  }
  cause(): unknown {
    return this._src.cause();
  }
}
