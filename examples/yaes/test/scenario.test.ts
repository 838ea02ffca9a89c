/**
 * The seed and the load scenario together: a seeded YAES takes a short `headroom load` run of the YAES mix —
 * every virtual user logs in, every request kind is sent, and nothing fails (no 4xx from a broken flow, no 5xx).
 */
import { load } from 'headroom/load';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../src/auth/passwords.js';
import { seedDatabase } from '../src/seed/seed.js';
import { type RunningYaes, startYaes } from './support/start-yaes.js';

const SCENARIO = new URL('../scenario/yaes.scenario.ts', import.meta.url).pathname;
const USERS = 40;
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
  });

  it('a short load run of the mix logs in and gets no errors', async () => {
    process.env.YAES_SEED_USERS = String(USERS);
    const result = await load({
      url: yaes.url,
      scenario: SCENARIO,
      connections: 8,
      threads: 1,
      duration: '2s',
    });
    expect(result.requests.completed).toBeGreaterThan(50);
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
  });
});
