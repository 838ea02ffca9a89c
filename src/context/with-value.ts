/** Request-scoped values: `withValue`. */
import type { Context } from './context.js';
import type { Key } from './key.js';
import { ValueContext } from './value-context.js';

/**
 * A child that carries `value` for `key` (Go's `context.WithValue`); everything else — cancellation, deadline,
 * other values — is the parent's. The nearest value for a key wins. Use it for request-scoped data that crosses
 * API boundaries (request id, trace id, auth), not for optional function parameters.
 * @example
 * const TraceId = createKey<string>('traceId');
 * withValue(ctx, TraceId, 'abc').value(TraceId) // 'abc'
 */
export function withValue<T>(parent: Context, key: Key<T>, value: T): Context {
  return new ValueContext(parent, key as Key<unknown>, value);
}
