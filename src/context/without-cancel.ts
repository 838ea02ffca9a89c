/** Detaching from cancellation: `withoutCancel`. */
import type { Context } from './context.js';
import { EmptyContext } from './empty-context.js';

/**
 * A child that keeps the parent's values but is never cancelled and has no deadline, whatever the parent does
 * (Go's `context.WithoutCancel`): `err` and `cause()` are `undefined`, `done` never resolves. Use it for work that
 * must outlive the request, such as flushing an audit log after the response.
 */
export function withoutCancel(parent: Context): Context {
  return new EmptyContext('WithoutCancel', parent);
}
