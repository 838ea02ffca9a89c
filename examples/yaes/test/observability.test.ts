/**
 * What operators see: the startup log describes the database without its password (the original logged the
 * full URL), the debug lines of repository calls and SQL statements carry the request id, and the admin port's
 * /metrics has the connection pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { type RunningYaes, startYaes } from './support/start-yaes.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('logs on PostgreSQL', () => {
  const lines: string[] = [];
  let database: TestDatabase;
  let yaes: RunningYaes;
  const PASSWORD = 'pw-never-logged-7f3a';

  beforeAll(async () => {
    database = await createTestDatabase();
    // The server trusts local connections, so any password works: what matters is that none is logged.
    const url = new URL(database.url);
    url.password = PASSWORD;
    // 'pglite' only means "create no database": DATABASE_URL points YAES at the one made here.
    yaes = await startYaes(
      'pglite',
      { DATABASE_URL: url.toString(), LOG_LEVEL: 'debug', DB_POOL_SIZE: '7' },
      { logDestination: { write: (line: string) => void lines.push(line) } },
    );
  });
  afterAll(async () => {
    await yaes?.stop();
    await database?.drop();
  });

  it('describes the database without its password', () => {
    const configured = lines.map((l) => JSON.parse(l) as { msg: string; config?: { database: string } });
    const described = configured.find((l) => l.msg === 'yaes configured')?.config?.database;
    expect(described).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/yaes_test_/);
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });

  it('repository calls and SQL statements log with the request id', async () => {
    const body = { Username: 'logged', MobileNumber: '+4970', Password: 'p' };
    const res = await call(yaes.url, 'POST', '/users', { body, headers: { 'x-request-id': 'req-obs-1' } });
    expect(res.status).toBe(200);
    const calls = lines
      .map((l) => JSON.parse(l) as { msg: string; fn?: string; reqId?: string })
      .filter((l) => l.msg === 'call' && l.reqId === 'req-obs-1')
      .map((l) => l.fn);
    expect(calls).toEqual(expect.arrayContaining(['repo.users.create', 'db.insert']));
  });

  it('exports its connection pool on /metrics, for headroom limits to read', async () => {
    const body = { Username: 'pooled', MobileNumber: '+4971', Password: 'p' };
    expect((await call(yaes.url, 'POST', '/users', { body })).status).toBe(200);
    const text = await (await fetch(`${yaes.adminUrl}/metrics`)).text();
    expect(text).toMatch(/^headroom_pool_max_connections\{pool="db"\} 7$/m);
    expect(text).toMatch(/^headroom_pool_waiting_requests\{pool="db"\} 0$/m);
    const acquired = /^headroom_pool_wait_seconds_count\{pool="db"\} (\d+)$/m.exec(text)?.[1];
    expect(Number(acquired)).toBeGreaterThan(0);
  });
});
