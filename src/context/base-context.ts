/** The shared part of every built-in context: the parent chain and the value lookup along it. */
import type { Context } from './context.js';
import type { ContextError } from './errors.js';
import type { Key, KeyWithDefault } from './key.js';

/**
 * Base of the built-in contexts (internal). `_src` is the context whose cancellation this one reports: itself
 * for cancellable and never-ending contexts, the parent's source for value contexts, a foreign parent as is.
 */
export abstract class BaseContext implements Context {
  /** The parent, for value lookup and naming; `undefined` for the roots. */
  readonly _parent: Context | undefined;
  /** The context whose signal/deadline/err this one reports. */
  readonly _src: Context;
  /** The key this context carries (value contexts, and a cancellable one that carries a value itself). */
  readonly _key: Key<unknown> | undefined;
  /** The value carried for `_key`. */
  readonly _val: unknown;

  constructor(parent: Context | undefined, src: Context | null, key?: Key<unknown>, val?: unknown) {
    this._parent = parent;
    this._src = src ?? this;
    this._key = key;
    this._val = val;
  }

  abstract readonly signal: AbortSignal;
  abstract readonly deadline: number | undefined;
  abstract readonly err: ContextError | undefined;
  abstract readonly done: Promise<void>;
  abstract cause(): unknown;
  /** A short name for this link of the chain, e.g. `WithCancel`. */
  protected abstract readonly _name: string;

  throwIfDone(): void {
    const err = this.err;
    if (err !== undefined) throw err;
  }

  value<T>(key: KeyWithDefault<T>): T;
  value<T>(key: Key<T>): T | undefined;
  value<T>(key: Key<T>): T | undefined {
    let ctx: Context = this;
    while (ctx instanceof BaseContext) {
      if (ctx._key === key) return ctx._val as T;
      const parent: Context | undefined = ctx._parent;
      if (parent === undefined) return key.default;
      ctx = parent;
    }
    return ctx.value(key);
  }

  /** Go-style description of the chain, e.g. `context.Background.WithCancel.WithValue(requestId)`. */
  toString(): string {
    return this._parent === undefined ? this._name : `${String(this._parent)}.${this._name}`;
  }
}
