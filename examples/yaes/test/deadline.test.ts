/**
 * Context all the way down: a request whose deadline passes while PostgreSQL is busy gets a 504 promptly, and
 * the statement is cancelled server-side — nothing is left running in pg_stat_activity.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningYaes, startYaes } from './support/start-yaes.js';

describe('request deadline reaches PostgreSQL', () => {
  let yaes: RunningYaes;
  beforeAll(async () => {
    // Test-only fault injection: not part of the production routes.
    yaes = await startYaes(
      'postgres',
      {},
      {
        extraRoutes: (app, db) => {
          app.get('/test/sleep', async (req) => {
            await db.scoped(req.ctx, (k) => sql`select pg_sleep(5)`.execute(k));
            return { slept: true };
          });
        },
      },
    );
  });
  afterAll(async () => {
    await yaes?.stop();
  });

  const running = () =>
    yaes.database!.adminQuery<{ pid: number }>(
      "select pid from pg_stat_activity where datname = $1 and query like '%pg_sleep%' and state = 'active' and pid <> pg_backend_pid()",
      [yaes.database!.name],
    );

  it('answers 504 within ~300 ms and leaves no query running', async () => {
    const started = performance.now();
    const response = fetch(`${yaes.url}/test/sleep`, { headers: { 'x-request-timeout': '200ms' } });
    // The statement really reached the server (so it is the server-side cancel that ends it, not a pre-check).
    await new Promise((r) => setTimeout(r, 120));
    expect(await running()).toHaveLength(1);
    const res = await response;
    const elapsed = performance.now() - started;
    expect(res.status).toBe(504);
    expect((await res.json()) as unknown).toMatchObject({ error: 'deadline exceeded' });
    // ~200 ms deadline + scheduling; the bound leaves room for a loaded 2-core machine. Uncancelled: 5 s.
    expect(elapsed).toBeLessThan(800);
    let left = await running();
    for (let i = 0; i < 6 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = await running();
    }
    expect(left).toEqual([]);
  });

  it('the pool stays usable after a cancellation', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${yaes.url}/test/sleep`, { headers: { 'x-request-timeout': '100ms' } });
      expect(res.status).toBe(504);
    }
    const ready = await fetch(`${yaes.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
  });
});
