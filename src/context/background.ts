/** The roots of every context tree. */
import type { Context } from './context.js';
import { EmptyContext } from './empty-context.js';

const BACKGROUND: Context = new EmptyContext('context.Background');
const TODO: Context = new EmptyContext('context.TODO');

/**
 * The root context: never cancelled, no deadline, no values (Go's `context.Background()`). Use it in `main`,
 * in tests and at the top of a request tree. Always the same object.
 */
export function background(): Context {
  return BACKGROUND;
}

/**
 * Same as `background()` but says "not decided yet" (Go's `context.TODO()`): use it where a context should be
 * threaded through but is not available yet.
 */
export function todo(): Context {
  return TODO;
}
