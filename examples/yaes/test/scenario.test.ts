/**
 * The seed and the load scenario together: a seeded YAES takes a short `headroom load` run of the YAES mix —
 * every virtual user logs in, every request kind is sent, and nothing fails (no 4xx from a broken flow, no 5xx).
 */
import { load } from 'headroom-kit/load';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../src/auth/passwords.js';
import { seedDatabase } from '../src/seed/seed.js';
import { type RunningYaes, startYaes } from './support/start-yaes.js';

const SCENARIO = new URL('../scenario/yaes.scenario.ts', import.meta.url).pathname;
const USERS = 40;
/** Requests of the load run: 100 per virtual user. */
const REQUESTS = 800;
const scope = { signal: new AbortController().signal };

describe('seed + YAES scenario', () => {
  let yaes: RunningYaes;
  beforeAll(async () => {
    yaes = await startYaes('pglite');
  });
  afterAll(async () => {
    await yaes?.stop();
  });

  it('seeds users with expenses and payables, once', async () => {
    const seed = (n: number) =>
      yaes.db.scoped(scope, (k) => seedDatabase(k, createPasswordHasher(4), { users: n }));
    const first = await seed(USERS);
    expect(first).toMatchObject({ users: USERS, skipped: false });
    expect(first.expenses).toBeGreaterThan(USERS * 3);
    expect(first.payables).toBeGreaterThanOrEqual(first.expenses);
    expect((await seed(USERS)).skipped).toBe(true);
    // Long-tailed, not uniform: most users have a few expenses, some many; amounts spread over decades.
    const perUser = await yaes.db.scoped(scope, (k) =>
      k
        .selectFrom('expenses')
        .select((e) => e.fn.countAll<string>().as('n'))
        .groupBy('created_by')
        .execute(),
    );
    const counts = perUser.map((r) => Number(r.n)).sort((a, b) => a - b);
    expect(counts.at(-1)).toBeGreaterThan(2 * (counts[Math.floor(counts.length / 2)] ?? 0));
    const amounts = await yaes.db.scoped(scope, (k) =>
      k
        .selectFrom('expenses')
        .select((e) => [e.fn.min('amount').as('min'), e.fn.max('amount').as('max')])
        .executeTakeFirst(),
    );
    expect(Number(amounts?.max)).toBeGreaterThan(20 * Number(amounts?.min));
  });

  it('a short load run of the mix logs in and gets no errors, writing to many rows', async () => {
    process.env.YAES_SEED_USERS = String(USERS);
    const started = new Date();
    // A fixed number of requests, not a duration: nothing here depends on how fast they go. 100 per virtual user
    // leave each one without a POST (15% of the mix) with a chance of 0.85^100 ≈ 1e-7.
    const result = await load({
      url: yaes.url,
      scenario: SCENARIO,
      connections: 8,
      threads: 1,
      requests: REQUESTS,
    });
    expect(result.requests.completed).toBe(REQUESTS);
    expect(result.status['4xx']).toBe(0);
    expect(result.status['5xx']).toBe(0);
    expect(result.requests.errors).toBe(0);
    const names = Object.keys(result.requests.byName ?? {});
    expect(names.sort()).toEqual([
      'GET /expenses',
      'GET /payables',
      'GET /users',
      'POST /expenses',
      'PUT /payables/:id',
    ]);
    // No hot row: each of the 8 virtual users writes its own expenses and updates several payables.
    const touched = await yaes.db.scoped(scope, async (k) => ({
      payables: await k.selectFrom('payables').select('id').where('updated_at', '>', started).execute(),
      creators: await k
        .selectFrom('expenses')
        .select('created_by')
        .distinct()
        .where('created_at', '>', started)
        .execute(),
    }));
    expect(touched.payables.length).toBeGreaterThanOrEqual(16);
    expect(touched.creators.length).toBe(8);
  });
});
