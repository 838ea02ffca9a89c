/** Racing searchers that stop when one wins: `firstOf`. */
import { afterFunc } from './after-func.js';
import type { Context } from './context.js';
import { NotFoundError } from './errors.js';
import { withCancel } from './with-cancel.js';

/** What a `firstOf` task reports when it found something. */
export interface Found<T> {
  value: T;
}

/** The winner of `firstOf`: its value and which task (0-based) found it. */
export interface FirstResult<T> {
  value: T;
  index: number;
}

/** One of `firstOf`'s tasks: resolves `{ value }` when it found something, `undefined` when it did not. */
export type FirstTask<T> = (
  ctx: Context,
  index: number,
) => Promise<Found<T> | undefined> | Found<T> | undefined;

/**
 * Starts `count` tasks `task(child, i)` on a child of `ctx` and resolves with the first `{ value }` reported
 * (and its index), cancelling the child so the others stop. It never hangs: when every task finished without a
 * value it rejects with `NotFoundError` (whose `errors` lists what failed tasks threw — a failing task does not
 * stop the others), and when `ctx` ends first it rejects with `ctx.err`. The fix for the course's demo that
 * deadlocks in Go when nobody finds the number.
 * @example
 * const { value, index } = await firstOf(ctx, 10_000, (ctx, i) => search(ctx, i));
 */
export function firstOf<T>(ctx: Context, count: number, task: FirstTask<T>): Promise<FirstResult<T>> {
  if (!Number.isSafeInteger(count) || count < 0) {
    return Promise.reject(new RangeError(`firstOf: count must be a non-negative integer, got ${count}`));
  }
  const err = ctx.err;
  if (err !== undefined) return Promise.reject(err);
  const [child, cancel] = withCancel(ctx);
  return new Promise<FirstResult<T>>((resolve, reject) => {
    let pending = count;
    let settled = false;
    const errors: unknown[] = [];
    const settle = (): void => {
      settled = true;
      stop();
      cancel();
    };
    const stop = afterFunc(ctx, () => {
      if (settled) return;
      settle();
      reject(ctx.err);
    });
    const notFound = (): void => {
      settle();
      reject(new NotFoundError(`firstOf: none of ${count} tasks found a value`, errors));
    };
    const finished = (): void => {
      pending--;
      if (pending === 0 && !settled) notFound();
    };
    if (count === 0) {
      notFound();
      return;
    }
    for (let index = 0; index < count; index++) {
      let outcome: Promise<Found<T> | undefined> | Found<T> | undefined;
      try {
        outcome = task(child, index);
      } catch (error) {
        outcome = Promise.reject(error);
      }
      Promise.resolve(outcome).then(
        (found) => {
          if (settled) return;
          if (found !== undefined && found !== null) {
            settle();
            resolve({ value: found.value, index });
          } else finished();
        },
        (error: unknown) => {
          if (settled) return;
          errors.push(error);
          finished();
        },
      );
    }
  });
}
