/**
 * Seeds N users with expenses and payables drawn from realistic distributions: expenses per user
 * exponential (mean 8, capped 60), amounts log-normal (median 30.00), 1–5 payables per expense to distinct
 * random other users with equal splits in exact cents, 30% already paid. Users are `seed-user-<n>` with one
 * shared password (hashed once), so load scenarios can log in as any of them.
 */
import { type Kysely, sql } from 'kysely';
import type { PasswordHasher } from '../auth/passwords.js';
import type { Database } from '../db/schema.js';
import { createRandom } from './random.js';

/** The password of every seeded user (public: seed data is for development and load tests only). */
export const SEED_PASSWORD = 'yaes-seed-password';

/** The username of seeded user `n` (1-based). */
export const seedUsername = (n: number) => `seed-user-${n}`;

/** Seed options. */
export interface SeedOptions {
  users: number;
  /** PRNG seed; the same seed gives the same data. Default 1. */
  seed?: number;
  /** Called with progress lines. */
  onProgress?: (line: string) => void;
}

/** What was created. */
export interface SeedOutcome {
  users: number;
  expenses: number;
  payables: number;
  skipped: boolean;
}

const BATCH = 1000;

/**
 * Inserts the data set unless `seed-user-1` already exists (then nothing is written).
 * @example await seedDatabase(kysely, createPasswordHasher(4), { users: 200 })
 */
export async function seedDatabase(
  db: Kysely<Database>,
  passwords: PasswordHasher,
  options: SeedOptions,
): Promise<SeedOutcome> {
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('username', '=', seedUsername(1))
    .executeTakeFirst();
  if (existing) return { users: 0, expenses: 0, payables: 0, skipped: true };
  const random = createRandom(options.seed ?? 1);
  const hashedPassword = await passwords.hash(SEED_PASSWORD);

  const userIds: number[] = [];
  for (let start = 1; start <= options.users; start += BATCH) {
    const rows = [];
    for (let n = start; n < start + BATCH && n <= options.users; n++) {
      rows.push({
        username: seedUsername(n),
        hashed_password: hashedPassword,
        first_name: `Seed${n}`,
        last_name: 'User',
        mobile_number: `+1555${String(n).padStart(7, '0')}`,
      });
    }
    const inserted = await db.insertInto('users').values(rows).returning('id').execute();
    userIds.push(...inserted.map((r) => r.id));
  }
  options.onProgress?.(`seeded ${userIds.length} users`);

  let expenses = 0;
  let payables = 0;
  const pending: { createdBy: number; amountCents: number; place: string; owers: number[] }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    const ids = await db
      .insertInto('expenses')
      .values(
        batch.map((e) => ({
          created_by: e.createdBy,
          amount: (e.amountCents / 100).toFixed(2),
          place: e.place,
        })),
      )
      .returning('id')
      .execute();
    const payableRows = batch.flatMap((e, i) => {
      const share = Math.floor(e.amountCents / (e.owers.length + 1));
      const ratio = (100 / (e.owers.length + 1)).toFixed(4);
      return e.owers.map((userId) => ({
        expense_id: ids[i]?.id ?? 0,
        user_id: userId,
        ratio_in_percentage: ratio,
        amount_owed: (share / 100).toFixed(2),
        status: random.next() < 0.3 ? 'paid' : 'pending',
      }));
    });
    for (let i = 0; i < payableRows.length; i += BATCH) {
      await db
        .insertInto('payables')
        .values(payableRows.slice(i, i + BATCH))
        .execute();
    }
    expenses += batch.length;
    payables += payableRows.length;
  };

  for (const createdBy of userIds) {
    const count = Math.min(60, Math.round(random.exponential(8)));
    for (let e = 0; e < count; e++) {
      const owers = new Set<number>();
      const wanted = Math.min(5, 1 + Math.floor(random.exponential(1.2)), userIds.length - 1);
      while (owers.size < wanted) {
        const other = userIds[random.int(0, userIds.length - 1)] ?? createdBy;
        if (other !== createdBy) owers.add(other);
      }
      const amountCents = Math.max(100, Math.round(random.logNormal(30, 1) * 100));
      pending.push({
        createdBy,
        amountCents,
        place: PLACES[random.int(0, PLACES.length - 1)] ?? 'Cafe',
        owers: [...owers],
      });
    }
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  await sql`analyze`.execute(db);
  options.onProgress?.(`seeded ${expenses} expenses, ${payables} payables`);
  return { users: userIds.length, expenses, payables, skipped: false };
}

const PLACES = [
  'Cafe',
  'Groceries',
  'Cinema',
  'Taxi',
  'Restaurant',
  'Hotel',
  'Train',
  'Pharmacy',
  'Bar',
  'Market',
];
