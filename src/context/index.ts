/**
 * headroom-kit/context — Go's `context` for TypeScript: cancellation, deadlines and request-scoped values that flow
 * through a tree, plus the helpers that make fan-out correct by construction. See docs/context.md.
 */

// The durations withTimeout and sleep accept ('250ms', '1m30s'), parsed the same way for config and flags.
export { type Duration, parseDuration } from '../units/duration.js';
export { afterFunc } from './after-func.js';
export { all, type Tasks } from './all.js';
export { background, todo } from './background.js';
export type { CancelCauseFunc, CancelFunc, Context } from './context.js';
export {
  CanceledError,
  type ContextError,
  DeadlineExceededError,
  isCanceled,
  isContextError,
  isDeadlineExceeded,
  NotFoundError,
} from './errors.js';
export { type FirstResult, type FirstTask, type Found, firstOf } from './first-of.js';
export { current, run } from './implicit.js';
export { createKey, type Key, type KeyWithDefault } from './key.js';
export { sleep } from './sleep.js';
export { withCancel, withCancelCause } from './with-cancel.js';
export { withDeadline, withDeadlineCause, withTimeout, withTimeoutCause } from './with-deadline.js';
export { withValue } from './with-value.js';
export { withoutCancel } from './without-cancel.js';
