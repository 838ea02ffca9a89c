/**
 * YAES configuration from the environment (12-factor). Parsed once at start with zod; a bad value stops the
 * process with one clear line. Secrets (JWT_KEY, DB password) are kept out of anything that gets logged.
 */
import { randomBytes } from 'node:crypto';
import { parseDuration } from 'headroom-kit/context';
import { z } from 'zod';
import { databaseUrlFromParts, type PostgresTls, redactUrl, SSL_MODES, splitTls } from './database-url.js';

/**
 * Where the data lives: an embedded PGlite (memory or folder) or a PostgreSQL server. A postgres `url` carries
 * no `sslmode`: TLS is in `tls`.
 */
export type DatabaseConfig =
  | {
      kind: 'pglite';
      dataDir: string | undefined;
      /** A data-dir dump (PGlite `dumpDataDir`) a new database starts from instead of running initdb. */
      template?: string;
    }
  | { kind: 'postgres'; url: string; poolSize: number; tls: PostgresTls };

/** The validated YAES configuration. */
export interface YaesConfig {
  appEnv: 'development' | 'test' | 'production';
  database: DatabaseConfig;
  /**
   * HS256 key bytes: `JWT_KEY`, else (outside production) 32 random bytes drawn per process — a key in the source
   * would let anyone who read it sign a token for any user — so tokens die with the process.
   */
  jwtKey: Uint8Array;
  /** True when `jwtKey` is the random per-process key (JWT_KEY unset): YAES warns at start. */
  jwtKeyEphemeral: boolean;
  /** Token lifetime in seconds. */
  jwtTtlS: number;
  bcryptCost: number;
  /** Run migrations when the service starts (default: everywhere but production). */
  migrateOnStart: boolean;
  /** Safe to log: no password, no key. */
  describe(): Record<string, unknown>;
}

/** The shipped Kubernetes secret's `change-me…` placeholder: an unedited secret must not sign tokens. */
function isPlaceholderKey(key: string): boolean {
  return /^change-?me/i.test(key);
}

const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** What the database alone needs (the `migrate` command reads only this: it needs no JWT_KEY). */
const DatabaseEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DB_USER: z.string().optional(),
  DB_PASSWORD: z.string().optional(),
  DB_HOST: z.string().optional(),
  DB_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  DB_NAME: z.string().optional(),
  DB_SSL_MODE: z.enum(SSL_MODES).optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  YAES_DATA_DIR: z.string().min(1).optional(),
  YAES_PGLITE_TEMPLATE: z.string().min(1).optional(),
});

const ServiceEnv = DatabaseEnv.extend({
  APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
  JWT_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    .refine((key) => !isPlaceholderKey(key), 'is the placeholder from the example secret: set a random key')
    .optional(),
  JWT_TTL: duration.default(24 * 3600 * 1000),
  BCRYPT_COST: z.coerce.number().int().min(4).max(31).optional(),
  MIGRATE_ON_START: bool.optional(),
});

/** Parses `env` with `schema`; empty strings count as unset (as in headroom-kit/service). */
function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`invalid configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
}

function databaseFrom(e: z.output<typeof DatabaseEnv>): DatabaseConfig {
  const url = e.DATABASE_URL ?? databaseUrlFromParts(e);
  if (!url) {
    const template = e.YAES_PGLITE_TEMPLATE;
    return { kind: 'pglite', dataDir: e.YAES_DATA_DIR, ...(template ? { template } : {}) };
  }
  try {
    return { kind: 'postgres', poolSize: e.DB_POOL_SIZE, ...splitTls(url) };
  } catch (error) {
    throw new Error(`invalid configuration: DATABASE_URL: ${(error as Error).message}`);
  }
}

/** The database as it may be logged: the URL without its password, or where PGlite keeps its data. */
export function describeDatabase(database: DatabaseConfig): string {
  return database.kind === 'postgres'
    ? `${redactUrl(database.url)} (tls ${database.tls})`
    : `pglite:${database.dataDir ?? 'memory'}`;
}

/**
 * Reads only the database settings from `env` (DATABASE_URL or DB_*, DB_POOL_SIZE, YAES_DATA_DIR, YAES_PGLITE_TEMPLATE).
 * @throws Error with a one-line message naming the bad variable.
 * @example loadDatabaseConfig({}) // { kind: 'pglite', dataDir: undefined }
 */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
  return databaseFrom(parseEnv(DatabaseEnv, env));
}

/**
 * Reads the YAES configuration from `env`.
 * @throws Error with a one-line message naming the bad variable.
 * @example loadConfig({ APP_ENV: 'test', BCRYPT_COST: '4' }).database // { kind: 'pglite', dataDir: undefined }
 */
export function loadConfig(env: NodeJS.ProcessEnv): YaesConfig {
  const e = parseEnv(ServiceEnv, env);
  const production = e.APP_ENV === 'production';
  if (production && !e.JWT_KEY) throw new Error('invalid configuration: JWT_KEY is required in production');
  const database = databaseFrom(e);
  const jwtTtlS = Math.max(1, Math.round(e.JWT_TTL / 1000));
  const bcryptCost = e.BCRYPT_COST ?? (e.APP_ENV === 'test' ? 4 : 10);
  const migrateOnStart = e.MIGRATE_ON_START ?? !production;
  return {
    appEnv: e.APP_ENV,
    database,
    jwtKey: e.JWT_KEY ? new TextEncoder().encode(e.JWT_KEY) : new Uint8Array(randomBytes(32)),
    jwtKeyEphemeral: !e.JWT_KEY,
    jwtTtlS,
    bcryptCost,
    migrateOnStart,
    describe: () => ({
      appEnv: e.APP_ENV,
      database: describeDatabase(database),
      poolSize: database.kind === 'postgres' ? database.poolSize : 1,
      jwtTtlS,
      bcryptCost,
      jwtKey: e.JWT_KEY ? 'set' : 'random per process',
      migrateOnStart,
    }),
  };
}

/**
 * Refuses cluster mode on PGlite — each worker would open its own embedded database (separate data in memory,
 * or several processes writing one YAES_DATA_DIR) — and without JWT_KEY: each worker would draw its own random
 * key and refuse the tokens its siblings issued.
 * @throws Error when `workers` > 1 and the database is PGlite or `env` has no JWT_KEY.
 */
export function assertWorkersFit(database: DatabaseConfig, workers: number, env: NodeJS.ProcessEnv): void {
  if (workers <= 1) return;
  if (database.kind === 'pglite') {
    throw new Error(
      `invalid configuration: WORKERS=${workers} needs PostgreSQL (DATABASE_URL): PGlite lives inside one process`,
    );
  }
  if (!env.JWT_KEY) {
    throw new Error(
      `invalid configuration: WORKERS=${workers} needs JWT_KEY: each worker would sign tokens with its own random key`,
    );
  }
}
