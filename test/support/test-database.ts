/**
 * A uniquely named PostgreSQL database for one test file, dropped afterwards — for the kit's tests against real
 * PostgreSQL and YAES's (examples/yaes/test/support/test-database.ts). The server is `YAES_TEST_PG_URL`'s (default
 * postgres://postgres@127.0.0.1:5432, trust auth, as `npm test`'s pretest sets up).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env.YAES_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A created database: its URL and how to drop it. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Runs one query on the admin connection (e.g. pg_stat_activity checks). */
  adminQuery<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<pid>_<random>`; `drop()` removes it even with connections left open. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    adminQuery: async (text, values) => (await admin.query(text, values)).rows,
    async drop() {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
