/**
 * Wraps any Kysely dialect so every statement runs inside headroom's `instrument()`: a span per query (a child
 * of the repository call's span when tracing records), a duration histogram and error counter per statement
 * kind (`headroom_function_duration_seconds{name="db.select"}`), and a debug line carrying the request id.
 */
import { instrument } from 'headroom-kit/service';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';

type Execute = (connection: DatabaseConnection, query: CompiledQuery) => Promise<QueryResult<unknown>>;

/** Statement kinds by Kysely operation node; anything else (raw SQL, DDL) is `db.raw`. */
const KIND_NAMES: Record<string, string> = {
  SelectQueryNode: 'db.select',
  InsertQueryNode: 'db.insert',
  UpdateQueryNode: 'db.update',
  DeleteQueryNode: 'db.delete',
};
const executors = new Map<string, Execute>();

function executorFor(query: CompiledQuery): Execute {
  const name = KIND_NAMES[query.query.kind] ?? 'db.raw';
  let execute = executors.get(name);
  if (!execute) {
    execute = instrument(name, (connection: DatabaseConnection, q: CompiledQuery) =>
      connection.executeQuery<unknown>(q),
    );
    executors.set(name, execute);
  }
  return execute;
}

/**
 * `dialect` with every query instrumented.
 * @example new Kysely<Database>({ dialect: tracedDialect(createDialect(config).dialect) })
 */
export function tracedDialect(dialect: Dialect): Dialect {
  return {
    createDriver: () => tracedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

/** The driver's connections wrapped; the driver itself always gets its own connection objects back. */
function tracedDriver(driver: Driver): Driver {
  const own = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (connection: DatabaseConnection) => own.get(connection) ?? connection;
  const { savepoint, rollbackToSavepoint: rollbackTo, releaseSavepoint: release } = driver;
  return {
    init: () => driver.init(),
    async acquireConnection() {
      const connection = await driver.acquireConnection();
      const traced: DatabaseConnection = {
        executeQuery: <R>(query: CompiledQuery) =>
          executorFor(query)(connection, query) as Promise<QueryResult<R>>,
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
          connection.streamQuery<R>(query, chunkSize),
      };
      own.set(traced, connection);
      return traced;
    },
    beginTransaction: (connection, settings) => driver.beginTransaction(unwrap(connection), settings),
    commitTransaction: (connection) => driver.commitTransaction(unwrap(connection)),
    rollbackTransaction: (connection) => driver.rollbackTransaction(unwrap(connection)),
    releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
    destroy: () => driver.destroy(),
    ...(savepoint && { savepoint: (c, name, compile) => savepoint.call(driver, unwrap(c), name, compile) }),
    ...(rollbackTo && {
      rollbackToSavepoint: (c, name, compile) => rollbackTo.call(driver, unwrap(c), name, compile),
    }),
    ...(release && {
      releaseSavepoint: (c, name, compile) => release.call(driver, unwrap(c), name, compile),
    }),
  };
}
