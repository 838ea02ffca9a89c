/**
 * The YAES database handle: Kysely (every query traced) plus context-scoped execution, readiness ping and close.
 */
import { Kysely, sql } from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import { createDialect } from './dialect.js';
import { type MigrationOutcome, migrateToLatest } from './migrate.js';
import { AbortCheckPlugin, querySignal } from './query-signal.js';
import type { Database } from './schema.js';
import { tracedDialect } from './traced-dialect.js';

/** What a database call needs from the caller's context: its cancellation signal (headroom Context fits). */
export interface Scope {
  readonly signal: AbortSignal;
}

/** An open YAES database. */
export interface Db {
  readonly kind: DatabaseConfig['kind'];
  /** True on PostgreSQL: running statements are cancelled server-side when the scope ends. */
  readonly cancelsRunningQueries: boolean;
  /**
   * Runs `fn` with queries bound to `scope`: none starts after the scope ended, and on PostgreSQL a running
   * one is cancelled.
   * @example await db.scoped(ctx, (k) => k.selectFrom('users').selectAll().execute())
   */
  scoped<T>(scope: Scope, fn: (k: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Throws unless the database answers `select 1` (readiness). */
  ping(scope: Scope): Promise<void>;
  /** Applies pending migrations. */
  migrate(): Promise<MigrationOutcome>;
  /** Closes the pool (or the embedded database). */
  close(): Promise<void>;
}

/**
 * Opens the database described by `config` (no connection is made until the first query).
 * @example const db = openDatabase({ kind: 'pglite', dataDir: undefined }, console.error)
 */
export function openDatabase(config: DatabaseConfig, onPoolError: (error: Error) => void): Db {
  const { dialect, cancelsRunningQueries } = createDialect(config, onPoolError);
  const kysely = new Kysely<Database>({ dialect: tracedDialect(dialect), plugins: [new AbortCheckPlugin()] });
  return {
    kind: config.kind,
    cancelsRunningQueries,
    scoped: (scope, fn) => querySignal.run(scope.signal, () => fn(kysely)),
    async ping(scope) {
      await querySignal.run(scope.signal, () => sql`select 1`.execute(kysely));
    },
    migrate: () => migrateToLatest(kysely as unknown as Kysely<unknown>),
    close: () => kysely.destroy(),
  };
}
