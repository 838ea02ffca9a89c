/**
 * `npm run migrate -w examples/yaes`: applies pending migrations to the configured database and exits —
 * the Kubernetes initContainer and the Docker `migrate` command run this.
 */
import { loadConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';

try {
  const config = loadConfig(process.env);
  const db = openDatabase(config.database, () => undefined);
  try {
    const { applied } = await db.migrate();
    process.stdout.write(
      `migrated ${JSON.stringify(config.describe().database)}: ${applied.length ? applied.join(', ') : 'up to date'}\n`,
    );
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(`yaes migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
