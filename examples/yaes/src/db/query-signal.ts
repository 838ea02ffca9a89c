/**
 * Carries the caller's AbortSignal from a repository call down to the driver without threading it through
 * Kysely (whose 0.28 API has no per-query signal). Repositories enter it with `Db.scoped(ctx, …)`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/** The signal of the context the current query runs for. */
export const querySignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Refuses to start a query once the caller's context has ended (both dialects). The PostgreSQL pool adapter
 * additionally cancels queries already running (see cancellable-pool.ts).
 */
export class AbortCheckPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    querySignal.getStore()?.throwIfAborted();
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
