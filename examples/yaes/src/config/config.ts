/**
 * YAES configuration from the environment (12-factor). Parsed once at start with zod; a bad value stops the
 * process with one clear line. Secrets (JWT_KEY, DB password) are kept out of anything that gets logged.
 */
import { z } from 'zod';
import { parseDuration } from '../../../../src/units/duration.js';
import { databaseUrlFromParts, redactUrl } from './database-url.js';

/** Where the data lives: an embedded PGlite (memory or folder) or a PostgreSQL server. */
export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | undefined }
  | { kind: 'postgres'; url: string; poolSize: number; ssl: boolean };

/** The validated YAES configuration. */
export interface YaesConfig {
  appEnv: 'development' | 'test' | 'production';
  database: DatabaseConfig;
  /** HS256 key bytes. */
  jwtKey: Uint8Array;
  /** Token lifetime in seconds. */
  jwtTtlS: number;
  bcryptCost: number;
  /** Run migrations when the service starts (default: everywhere but production). */
  migrateOnStart: boolean;
  /** Safe to log: no password, no key. */
  describe(): Record<string, unknown>;
}

/** Development/test key: tokens stay valid across restarts and cluster workers; refused in production. */
const DEV_JWT_KEY = 'yaes-development-key-do-not-use-in-production';

const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DB_USER: z.string().optional(),
  DB_PASSWORD: z.string().optional(),
  DB_HOST: z.string().optional(),
  DB_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  DB_NAME: z.string().optional(),
  DB_SSL_MODE: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  YAES_DATA_DIR: z.string().min(1).optional(),
  JWT_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL: duration.default(24 * 3600 * 1000),
  BCRYPT_COST: z.coerce.number().int().min(4).max(31).optional(),
  MIGRATE_ON_START: bool.optional(),
});

/**
 * Reads the YAES configuration from `env`.
 * @throws Error with a one-line message naming the bad variable.
 * @example loadConfig({ APP_ENV: 'test', BCRYPT_COST: '4' }).database // { kind: 'pglite', dataDir: undefined }
 */
export function loadConfig(env: NodeJS.ProcessEnv): YaesConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  const production = e.APP_ENV === 'production';
  if (production && !e.JWT_KEY) throw new Error('invalid configuration: JWT_KEY is required in production');

  const url = e.DATABASE_URL ?? databaseUrlFromParts(e);
  const database: DatabaseConfig = url
    ? {
        kind: 'postgres',
        url,
        poolSize: e.DB_POOL_SIZE,
        ssl: /sslmode=(require|verify-ca|verify-full)/.test(url),
      }
    : { kind: 'pglite', dataDir: e.YAES_DATA_DIR };
  const jwtTtlS = Math.max(1, Math.round(e.JWT_TTL / 1000));
  const bcryptCost = e.BCRYPT_COST ?? (e.APP_ENV === 'test' ? 4 : 10);
  const migrateOnStart = e.MIGRATE_ON_START ?? !production;
  return {
    appEnv: e.APP_ENV,
    database,
    jwtKey: new TextEncoder().encode(e.JWT_KEY ?? DEV_JWT_KEY),
    jwtTtlS,
    bcryptCost,
    migrateOnStart,
    describe: () => ({
      appEnv: e.APP_ENV,
      database:
        database.kind === 'postgres' ? redactUrl(database.url) : `pglite:${database.dataDir ?? 'memory'}`,
      poolSize: database.kind === 'postgres' ? database.poolSize : 1,
      jwtTtlS,
      bcryptCost,
      jwtKey: e.JWT_KEY ? 'set' : 'development default',
      migrateOnStart,
    }),
  };
}
