/**
 * The expense service, as the course benchmarks it: once over in-memory repositories (the "mock": cost of
 * our own code) and once over PostgreSQL (tagged `integration`: what the database adds).
 *   headroom bench examples/yaes/bench                       # mock only
 *   headroom bench examples/yaes/bench --tags integration    # + PostgreSQL (needs 127.0.0.1:5432)
 */
import { randomBytes } from 'node:crypto';
import { bench } from 'headroom-kit/bench';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { type Db, openDatabase } from '../src/db/database.js';
import type { User } from '../src/models/index.js';
import { memoryRepositories } from '../src/repositories/memory/index.js';
import { sqlRepositories } from '../src/repositories/sql/index.js';
import type { Page, Repositories } from '../src/repositories/types.js';
import { createServices } from '../src/services/index.js';

/** The API's default page: the first 100 expenses. */
const FIRST_PAGE: Page = { limit: 100, after: 0 };

const ctx = { signal: new AbortController().signal };
const config = loadConfig({ APP_ENV: 'test' });
const ADMIN_URL = process.env.YAES_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A service over `repos` with two users; `me` already has 20 expenses of 2 payables each. */
async function fixture(repos: Repositories) {
  const services = createServices(config, repos);
  const create = (n: string) =>
    repos.users.create(ctx, {
      username: n,
      firstName: '',
      lastName: '',
      mobileNumber: n,
      hashedPassword: 'x',
    });
  const me = await create('bench-me');
  const friend = await create('bench-friend');
  const input = {
    amount: '42.50',
    place: 'Bench',
    payables: [
      { userId: friend.id, ratioInPercentage: '50', amountOwed: '21.25', status: 'pending' },
      { userId: me.id, ratioInPercentage: '50', amountOwed: '21.25', status: 'paid' },
    ],
  };
  for (let i = 0; i < 20; i++) await services.expenses.create(ctx, me, input);
  return { services, me, input };
}

let mock: Awaited<ReturnType<typeof fixture>>;
const setupMock = async () => {
  mock = await fixture(memoryRepositories());
};
bench(
  'ExpenseService/Create/mock',
  async (b) => {
    for (let i = 0; i < b.N; i++) await mock.services.expenses.create(ctx, mock.me, mock.input);
  },
  { setup: setupMock },
);
bench(
  'ExpenseService/ListMine/mock',
  async (b) => {
    const me: User = mock.me;
    for (let i = 0; i < b.N; i++) await mock.services.expenses.listMine(ctx, me, FIRST_PAGE);
  },
  { setup: setupMock },
);

let real: Awaited<ReturnType<typeof fixture>>;
let db: Db | undefined;
let dbName = '';
async function openPostgres() {
  dbName = `yaes_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  db = openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 4, tls: 'off' }, () => undefined);
  await db.migrate();
  real = await fixture(sqlRepositories(db));
}
async function closePostgres() {
  await db?.close();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
bench(
  'ExpenseService/Create/postgres',
  async (b) => {
    for (let i = 0; i < b.N; i++) await real.services.expenses.create(ctx, real.me, real.input);
  },
  { tags: ['integration'], setup: openPostgres, teardown: closePostgres },
);
bench(
  'ExpenseService/ListMine/postgres',
  async (b) => {
    for (let i = 0; i < b.N; i++) await real.services.expenses.listMine(ctx, real.me, FIRST_PAGE);
  },
  { tags: ['integration'], setup: openPostgres, teardown: closePostgres },
);
