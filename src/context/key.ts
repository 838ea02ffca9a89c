/**
 * Typed keys for `withValue` / `ctx.value`. A key is compared by identity, never by name: two keys created with
 * the same name are different keys, so packages cannot collide (Go's unexported key types, made first-class).
 */

/** A typed key: `ctx.value(key)` returns `T | undefined`. */
export interface Key<T> {
  /** The name, for debugging only; it plays no part in lookup. */
  readonly name: string;
  /** What `ctx.value(key)` returns when no context in the chain carries the key. */
  readonly default: T | undefined;
  /** Phantom: ties the key to its value type. Never set. */
  readonly __type?: (value: T) => T;
}

/** A typed key with a default: `ctx.value(key)` returns `T`, falling back to `default`. */
export interface KeyWithDefault<T> extends Key<T> {
  readonly default: T;
}

class ContextKey<T> implements Key<T> {
  readonly name: string;
  readonly default: T | undefined;
  constructor(name: string, fallback: T | undefined) {
    this.name = name;
    this.default = fallback;
    Object.freeze(this);
  }
  toString(): string {
    return `Key(${this.name})`;
  }
}

/**
 * Creates a typed key. Lookup is by identity: `createKey('id') !== createKey('id')`. With `{ default }`, a context
 * that does not carry the key returns the default instead of `undefined`.
 * @example
 * const RequestId = createKey<string>('requestId', { default: '-' });
 * withValue(ctx, RequestId, 'r-1').value(RequestId) // 'r-1'; background().value(RequestId) // '-'
 */
export function createKey<T>(name: string, options: { default: T }): KeyWithDefault<T>;
/** Creates a typed key without a default: `ctx.value(key)` returns `T | undefined` when no context carries it. */
export function createKey<T>(name: string, options?: { default?: undefined }): Key<T>;
export function createKey<T>(name: string, options?: { default?: T }): Key<T> {
  return new ContextKey<T>(name, options?.default);
}
