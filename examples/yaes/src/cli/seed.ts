/**
 * `npm run seed -w examples/yaes -- --users 500 [--seed 1]`: migrates, then creates seed users with
 * expenses and payables (see seed/seed.ts). Does nothing when the data set is already there. Reads only the
 * database settings and BCRYPT_COST (default 10, the production cost the load scenario then logs in against).
 */
import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../auth/passwords.js';
import { describeDatabase, loadDatabaseConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { seedDatabase } from '../seed/seed.js';

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer ${min}–${max}, got "${text}"`);
  return value;
}

try {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } },
  });
  const users = integer('--users', values.users, 2, 10_000_000);
  const seed = integer('--seed', values.seed, 0, 2 ** 32 - 1);
  const bcryptCost = integer('BCRYPT_COST', process.env.BCRYPT_COST ?? '10', 4, 31);
  const database = loadDatabaseConfig(process.env);
  const db = openDatabase(database, () => undefined);
  try {
    await db.migrate();
    console.log(`seeding ${describeDatabase(database)}`);
    const scope = { signal: new AbortController().signal };
    const outcome = await db.scoped(scope, (k) =>
      seedDatabase(k, createPasswordHasher(bcryptCost), {
        users,
        seed,
        onProgress: (l) => console.log(l),
      }),
    );
    if (outcome.skipped) console.log('already seeded (seed-user-1 exists); nothing written');
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(`yaes seed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
