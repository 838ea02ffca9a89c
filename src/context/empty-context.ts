/** Contexts that never end: `background()`, `todo()` and `withoutCancel()`'s result. */
import { setMaxListeners } from 'node:events';
import { BaseContext } from './base-context.js';
import type { Context } from './context.js';

/** One signal that never aborts, shared by every never-ending context (listeners on it never run). */
const NEVER_SIGNAL = new AbortController().signal;
setMaxListeners(0, NEVER_SIGNAL);

/** One promise that never settles, shared by every never-ending context. */
const NEVER: Promise<void> = new Promise<void>(() => {});

/**
 * A context that is never cancelled and has no deadline; values come from the parent, if any (internal).
 */
export class EmptyContext extends BaseContext {
  protected readonly _name: string;

  constructor(name: string, parent?: Context) {
    super(parent, null);
    this._name = name;
  }

  get signal(): AbortSignal {
    return NEVER_SIGNAL;
  }
  get deadline(): undefined {
    return undefined;
  }
  get err(): undefined {
    return undefined;
  }
  get done(): Promise<void> {
    return NEVER;
  }
  cause(): undefined {
    return undefined;
  }
}
