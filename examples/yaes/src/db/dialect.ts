/**
 * The one place that chooses the database engine: PostgreSQL through node-postgres when configured,
 * otherwise an embedded PGlite (in memory, or persisted in YAES_DATA_DIR) so a newcomer needs no server.
 *
 * PGlite dialect: Kysely 0.29 ships its own `PGliteDialect`, but it requires Node 22; on Node 20 we use
 * Kysely 0.28 with `kysely-pglite-dialect`. Upgrading is this file's import line only.
 */
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { instrumentPool } from 'headroom-kit/service';
import { type Dialect, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.js';
import { cancellablePool } from './cancellable-pool.js';

/** A dialect and whether it can cancel statements that are already running. */
export interface DialectChoice {
  dialect: Dialect;
  cancelsRunningQueries: boolean;
}

/**
 * Builds the Kysely dialect for `config`. `onPoolError` receives idle-connection errors (which would
 * otherwise crash the process); its argument never carries the connection string.
 */
export function createDialect(config: DatabaseConfig, onPoolError: (error: Error) => void): DialectChoice {
  if (config.kind === 'pglite') {
    const options = config.template ? { loadDataDir: readTemplate(config.template) } : {};
    return { dialect: new PGliteDialect(new PGlite(config.dataDir, options)), cancelsRunningQueries: false };
  }
  // `config.url` has no sslmode (see splitTls), so this `ssl` is the one node-postgres uses.
  const ssl = config.tls === 'off' ? false : { rejectUnauthorized: config.tls === 'verify' };
  // Its size, use, waiters and wait times on /metrics: `headroom limits` names the pool when it is the limit.
  const pool = instrumentPool(new pg.Pool({ connectionString: config.url, max: config.poolSize, ssl }), {
    name: 'db',
  });
  const cancelPool = new pg.Pool({ connectionString: config.url, max: 2, ssl });
  pool.on('error', onPoolError);
  cancelPool.on('error', onPoolError);
  return {
    dialect: new PostgresDialect({ pool: cancellablePool(pool, cancelPool) }),
    cancelsRunningQueries: true,
  };
}

/** The dump YAES_PGLITE_TEMPLATE names. @throws Error with one line when it cannot be read. */
function readTemplate(path: string): Blob {
  try {
    return new Blob([readFileSync(path)]);
  } catch (error) {
    throw new Error(`invalid configuration: YAES_PGLITE_TEMPLATE: ${(error as Error).message}`);
  }
}
