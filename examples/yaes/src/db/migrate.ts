/** Runs the migrations to the latest version — the same code for PGlite and PostgreSQL. */
import { type Kysely, Migrator } from 'kysely';
import { migrationProvider } from './migrations/index.js';

/** What a migration run did. */
export interface MigrationOutcome {
  applied: string[];
}

/**
 * Applies every pending migration (Kysely Migrator takes a lock, so concurrent replicas are safe).
 * @throws the first migration error, with the migration's name.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${cause}`.replace('  ', ' '));
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
