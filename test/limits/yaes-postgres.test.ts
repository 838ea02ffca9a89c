/**
 * YAES on PostgreSQL (issue 14): a step past its capacity, classified as the search classifies its knee, names a
 * cause — not `unknown` — with the evidence beyond the process beside it (the machine, YAES's pool `db`, the
 * database with `--db`). Two fixed steps of the YAES scenario rather than a whole search, to stay short.
 * Also: `pg_stat_statements` created in the database but not preloaded (querying it errors) falls back to
 * `pg_stat_activity` without an error.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyBottleneck } from '../../src/limits/classify-bottleneck.js';
import { startDatabaseSampler } from '../../src/limits/database-sampler.js';
import { formatStepLine, loadStepRunner } from '../../src/limits/index.js';
import { judgeStep } from '../../src/limits/judge-step.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type SpawnedService, spawnFixture } from './helpers/spawn-service.js';

const SEED_USERS = '50';
const scenario = fileURLToPath(new URL('../../examples/yaes/scenario/yaes.scenario.ts', import.meta.url));

describe('YAES on PostgreSQL', () => {
  let yaes: SpawnedService;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('headroom_yaes');
    process.env.YAES_SEED_USERS = SEED_USERS; // read by the scenario, in the generator's threads
    yaes = await spawnFixture(fileURLToPath(new URL('./fixtures/yaes-service.ts', import.meta.url)), {
      DATABASE_URL: database.url,
      YAES_SEED_USERS: SEED_USERS,
    });
  });

  afterAll(async () => {
    await yaes?.stop();
    await database?.drop();
  });

  it('names the cause past its capacity, with the pool, the database and the machine as evidence', async () => {
    const runner = loadStepRunner({
      url: yaes.url,
      slo: ['p99<50ms', 'errors<1%'],
      request: { scenario },
      admin: yaes.adminUrl,
      db: database.url,
    });
    const reference = judgeStep('bisect', await runner({ phase: 'bisect', rate: 50, durationMs: 1500 }));
    // Far past what one Node process of YAES serves on a 2-core machine (≈ 450 req/s when quiet).
    const knee = judgeStep('bisect', await runner({ phase: 'bisect', rate: 1500, durationMs: 2000 }));
    const verdict = classifyBottleneck(knee, reference);
    const evidence = verdict.evidence.join('\n');
    const why = `\n${formatStepLine(reference)}\n${formatStepLine(knee)}\n${evidence}`;
    expect(knee.pass, why).toBe(false);
    expect(verdict.kind, why).not.toBe('unknown');
    expect(['cpu', 'host-cpu', 'pool', 'database'], why).toContain(verdict.kind);
    // The verdict's own figures, by kind.
    const first = verdict.evidence[0] ?? '';
    if (verdict.kind === 'cpu') {
      // A full core, or most of one with requests queued behind the loop.
      if ((knee.target?.cpuCores ?? 0) >= 0.85)
        expect(first).toMatch(/^CPU: the process used about one core/);
      else expect(first).toMatch(/^CPU: the event loop limits before its core is full — 0\.[6-8]\d cores/);
    }
    if (verdict.kind === 'host-cpu') expect(first).toMatch(/\d+% of \d+ cores busy.* while the target used/);
    if (verdict.kind === 'pool') expect(first).toMatch(/pool "db" \(max 10\) — \d+\.\d waiting on average/);
    if (verdict.kind === 'database') expect(first).toMatch(/^database: \d+\.\d statements running/);
    // Beyond the process, whatever the verdict: the machine, YAES's pool and the database.
    expect(evidence).toMatch(/machine: \d+% busy of \d+ cores \(target \d\.\d\d, generator \d\.\d\d, others/);
    expect(evidence).toMatch(/pool "db" \(max 10\): in use \d+\.\d avg/);
    expect(evidence).toMatch(
      /database: \d+\.\d statements running avg \(max \d+\) of \d+ backends, backends CPU/,
    );
    expect(knee.database?.backends, why).toBeGreaterThan(0);
    expect(knee.target?.pool?.acquiredPerS, why).toBeGreaterThan(100);
  });

  it('falls back to pg_stat_activity when pg_stat_statements is created but not loaded', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      const preloaded = await client.query<{ libs: string }>(
        "SELECT current_setting('shared_preload_libraries') AS libs",
      );
      // This path needs the extension created yet not loaded: querying it errors.
      if (!preloaded.rows[0]?.libs.includes('pg_stat_statements')) {
        await expect(client.query('SELECT count(*) FROM pg_stat_statements')).rejects.toThrow(
          /pg_stat_statements must be loaded/,
        );
      }
      const sampler = await startDatabaseSampler(database.url, true, 20);
      // A statement running while the sampler looks: it must be seen through pg_stat_activity.
      await client.query('SELECT pg_sleep(0.3)');
      const signals = await sampler.stop();
      expect(signals).not.toBeNull();
      if (preloaded.rows[0]?.libs.includes('pg_stat_statements')) return;
      expect(signals?.queriesFrom).toBe('pg_stat_activity');
      expect(signals?.topQueries[0]?.query).toBe('SELECT pg_sleep(0.3)');
      expect(signals?.waits[0]?.event).toBe('Timeout:PgSleep');
    } finally {
      await client.query('DROP EXTENSION IF EXISTS pg_stat_statements').catch(() => {});
      await client.end();
    }
  });
});
