/** Starts YAES on ephemeral ports against PGlite or a fresh PostgreSQL database, for tests. */
import { createYaes, type YaesOptions } from '../../src/app.js';
import type { Db } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The JWT_KEY tests run YAES with, so they can sign their own tokens (forged, expired, odd claims). */
export const TEST_JWT_KEY = 'yaes-test-key-0123456789-0123456789';

/** Which database the run uses. */
export type DatabaseKind = 'pglite' | 'postgres';

/** A running YAES. */
export interface RunningYaes {
  url: string;
  adminUrl: string;
  db: Db;
  /** Only for `postgres`. */
  database: TestDatabase | undefined;
  stop(): Promise<void>;
}

/**
 * Starts YAES (APP_ENV=test, bcrypt cost 4, JWT_KEY `TEST_JWT_KEY`, logs silent unless YAES_TEST_LOGS is set); `options` adds
 * fault-injection routes or captures the log lines.
 */
export async function startYaes(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  options: Omit<YaesOptions, 'env'> = {},
): Promise<RunningYaes> {
  const database = kind === 'postgres' ? await createTestDatabase() : undefined;
  const { service, db } = await createYaes({
    env: {
      APP_ENV: 'test',
      PORT: '0',
      ADMIN_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.YAES_TEST_LOGS ? 'debug' : 'silent',
      BCRYPT_COST: '4',
      JWT_KEY: TEST_JWT_KEY,
      ...(database ? { DATABASE_URL: database.url, DB_POOL_SIZE: '4' } : {}),
      ...env,
    },
    ...options,
  });
  const { url, adminUrl } = await service.listen();
  return {
    url: url.replace(/\/$/, ''),
    adminUrl: adminUrl.replace(/\/$/, ''),
    db,
    database,
    async stop() {
      await service.close();
      await database?.drop();
    },
  };
}
