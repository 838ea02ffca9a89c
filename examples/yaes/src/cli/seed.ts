/**
 * `npm run seed -w examples/yaes -- --users 500 [--seed 1]`: migrates, then creates seed users with
 * expenses and payables (see seed/seed.ts). Does nothing when the data set is already there.
 */
import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../auth/passwords.js';
import { loadConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { seedDatabase } from '../seed/seed.js';

try {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } },
  });
  const users = Number(values.users);
  const seed = Number(values.seed);
  if (!Number.isInteger(users) || users < 2)
    throw new Error(`--users must be an integer ≥ 2, got "${values.users}"`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  const config = loadConfig(process.env);
  const db = openDatabase(config.database, () => undefined);
  try {
    await db.migrate();
    const scope = { signal: new AbortController().signal };
    const outcome = await db.scoped(scope, (k) =>
      seedDatabase(k, createPasswordHasher(config.bcryptCost), {
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
