/** Sibling tasks that fail together: `all`. */
import type { Context } from './context.js';
import { withCancelCause } from './with-cancel.js';

/** The tasks `all` runs: each gets the shared child context. */
export type Tasks<T extends readonly unknown[]> = { [K in keyof T]: (ctx: Context) => Promise<T[K]> | T[K] };

/**
 * Runs every task with a shared child of `ctx` and resolves with their results in order. The first failure
 * cancels the child (its cause is the failure) so the siblings stop, and `all` rejects with that failure once every
 * task has settled — like Go's `errgroup.WithContext` + `Wait`, nothing started here is still running when `all`
 * returns. When `ctx` ends, the tasks see it through the child.
 * @example
 * const [user, orders] = await all(ctx, [(ctx) => getUser(ctx, id), (ctx) => getOrders(ctx, id)]);
 */
export async function all<T extends readonly unknown[]>(ctx: Context, tasks: Tasks<T>): Promise<T> {
  const [child, cancel] = withCancelCause(ctx);
  let failed = false;
  let failure: unknown;
  const runs = tasks.map(async (task: (ctx: Context) => unknown) => {
    try {
      return await task(child);
    } catch (error) {
      if (!failed) {
        failed = true;
        failure = error;
        cancel(error);
      }
      return undefined;
    }
  });
  try {
    const results = await Promise.all(runs);
    if (failed) throw failure;
    return results as unknown as T;
  } finally {
    cancel();
  }
}
