/**
 * `npm run migrate -w examples/yaes`: applies pending migrations to the configured database and exits —
 * the Kubernetes initContainer and the Docker `migrate.js` command run this. It reads only the database
 * settings, so it needs no JWT_KEY.
 */
import { describeDatabase, loadDatabaseConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';

try {
  const database = loadDatabaseConfig(process.env);
  const db = openDatabase(database, () => undefined);
  try {
    const { applied } = await db.migrate();
    process.stdout.write(
      `migrated ${describeDatabase(database)}: ${applied.length ? applied.join(', ') : 'up to date'}\n`,
    );
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(`yaes migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
