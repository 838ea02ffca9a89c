/**
 * A node-postgres pool for Kysely whose queries are cancelled server-side when the caller's context ends.
 *
 * node-postgres takes no AbortSignal, so when the signal of the running query (from `querySignal`) aborts we
 * run `pg_cancel_backend(pid)` on a separate small pool: the server stops the statement at once and frees
 * its locks and CPU. A cancelled connection is destroyed on release instead of returning to the pool, so a
 * late cancel can never hit the next request's query. Why not `statement_timeout`: it costs a round trip
 * per query to set, and only knows deadlines — not client disconnects or shutdown (see docs/yaes.md).
 */
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { querySignal } from './query-signal.js';

interface Lease {
  client: pg.PoolClient;
  pid: number;
  cancelled: boolean;
}

/**
 * Wraps `pool` for Kysely's PostgresDialect; `cancelPool` (1–2 connections) issues the cancels.
 * @example new PostgresDialect({ pool: cancellablePool(pool, cancelPool) })
 */
export function cancellablePool(pool: pg.Pool, cancelPool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (!wrapped) {
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
        wrapped = wrap({ client, pid: rows[0]?.pid ?? 0, cancelled: false }, cancelPool);
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    async end() {
      await Promise.all([pool.end(), cancelPool.end()]);
    },
  };
}

function wrap(lease: Lease, cancelPool: pg.Pool): PostgresPoolClient {
  function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      return lease.client.query(sqlOrCursor as unknown as pg.Submittable) as unknown as PostgresCursor<R>;
    }
    return run<R>(lease, cancelPool, sqlOrCursor, parameters ?? []);
  }
  return {
    query,
    release() {
      // A connection that saw a cancel may still get the signal late: never hand it to someone else.
      lease.client.release(lease.cancelled);
    },
  };
}

async function run<R>(
  lease: Lease,
  cancelPool: pg.Pool,
  sql: string,
  parameters: ReadonlyArray<unknown>,
): Promise<PostgresQueryResult<R>> {
  const signal = querySignal.getStore();
  const execute = () =>
    lease.client.query(sql, parameters as unknown[]) as unknown as Promise<PostgresQueryResult<R>>;
  // `rollback` must still run after a cancel, to leave the transaction cleanly.
  if (!signal || sql === 'rollback') return execute();
  signal.throwIfAborted();
  let cancelling: Promise<unknown> | undefined;
  const onAbort = () => {
    lease.cancelled = true;
    cancelling = cancelPool.query('select pg_cancel_backend($1)', [lease.pid]).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await execute();
  } catch (error) {
    if (signal.aborted) throw signal.reason ?? error;
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await cancelling;
  }
}
