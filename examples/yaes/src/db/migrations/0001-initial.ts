/**
 * The initial schema: the original's three tables plus the foreign keys and indexes it lacked, and checks
 * that keep empty usernames/mobile numbers out. Money is `numeric` (exact cents).
 */
import { type Kysely, sql } from 'kysely';

/** Creates users, expenses and payables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('username', 'text', (c) => c.notNull().check(sql`username <> ''`))
    .addColumn('hashed_password', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('mobile_number', 'text', (c) => c.notNull().check(sql`mobile_number <> ''`))
    .addUniqueConstraint('users_username_key', ['username'])
    .addUniqueConstraint('users_mobile_number_key', ['mobile_number'])
    .execute();
  await db.schema.createIndex('users_deleted_at_idx').on('users').column('deleted_at').execute();

  await db.schema
    .createTable('expenses')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('expenses_created_by_idx').on('expenses').column('created_by').execute();
  await db.schema.createIndex('expenses_deleted_at_idx').on('expenses').column('deleted_at').execute();

  await db.schema
    .createTable('payables')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('expense_id', 'integer', (c) => c.notNull().references('expenses.id'))
    .addColumn('ratio_in_percentage', 'numeric', (c) => c.notNull())
    .addColumn('amount_owed', 'numeric', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payables_user_id_idx').on('payables').column('user_id').execute();
  await db.schema.createIndex('payables_expense_id_idx').on('payables').column('expense_id').execute();
  await db.schema.createIndex('payables_deleted_at_idx').on('payables').column('deleted_at').execute();
}

/** Drops the three tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('payables').execute();
  await db.schema.dropTable('expenses').execute();
  await db.schema.dropTable('users').execute();
}
