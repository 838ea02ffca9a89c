/**
 * The migrations, listed in code rather than read from a folder so the esbuild bundle carries them.
 * Add a file and a line here; never edit a migration that has shipped.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
};

/** Supplies the migrations above to Kysely's Migrator. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
