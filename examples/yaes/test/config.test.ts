/** Configuration: production refuses to start without JWT_KEY, bad values fail with one line, secrets never show. */
import { describe, expect, it } from 'vitest';
import { assertWorkersFit, loadConfig, loadDatabaseConfig } from '../src/config/config.js';
import { databaseUrlFromParts, redactUrl, splitTls } from '../src/config/database-url.js';

describe('loadConfig', () => {
  it('defaults to an in-memory PGlite, migrations on, a low bcrypt cost only under test', () => {
    const dev = loadConfig({});
    expect(dev.database).toEqual({ kind: 'pglite', dataDir: undefined });
    expect(dev.migrateOnStart).toBe(true);
    expect(dev.bcryptCost).toBe(10);
    expect(dev.jwtTtlS).toBe(24 * 3600);
    expect(loadConfig({ APP_ENV: 'test' }).bcryptCost).toBe(4);
    expect(loadConfig({ YAES_DATA_DIR: '/tmp/yaes' }).database).toEqual({
      kind: 'pglite',
      dataDir: '/tmp/yaes',
    });
    expect(loadConfig({ YAES_PGLITE_TEMPLATE: '.yaes/empty.tar.gz' }).database).toEqual({
      kind: 'pglite',
      dataDir: undefined,
      template: '.yaes/empty.tar.gz',
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', YAES_PGLITE_TEMPLATE: 'x' }).database.kind).toBe(
      'postgres',
    );
  });

  it('without JWT_KEY outside production, signs with 32 random bytes per process, never a key from the source', () => {
    const [one, two] = [loadConfig({}), loadConfig({ APP_ENV: 'test' })];
    expect(one.jwtKey).toHaveLength(32);
    expect(one.jwtKeyEphemeral).toBe(true);
    expect(Buffer.from(one.jwtKey).equals(Buffer.from(two.jwtKey))).toBe(false);
    expect(one.describe().jwtKey).toBe('random per process');
    const set = loadConfig({ JWT_KEY: 'k'.repeat(32) });
    expect(set).toMatchObject({ jwtKey: new TextEncoder().encode('k'.repeat(32)), jwtKeyEphemeral: false });
    expect(set.describe().jwtKey).toBe('set');
  });

  it('refuses production without JWT_KEY, and does not migrate at start there', () => {
    expect(() => loadConfig({ APP_ENV: 'production' })).toThrow(
      'invalid configuration: JWT_KEY is required in production',
    );
    const prod = loadConfig({
      APP_ENV: 'production',
      JWT_KEY: 'k'.repeat(32),
      DATABASE_URL: 'postgres://db/yaes',
    });
    expect(prod.migrateOnStart).toBe(false);
    expect(prod.bcryptCost).toBe(10);
  });

  it.each([
    [{ JWT_TTL: 'forever' }, /JWT_TTL/],
    [{ BCRYPT_COST: '3' }, /BCRYPT_COST/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ DB_POOL_SIZE: '0' }, /DB_POOL_SIZE/],
    [{ JWT_KEY: 'short' }, /JWT_KEY/],
    [{ DB_HOST: 'h', DB_SSL_MODE: 'sometimes' }, /DB_SSL_MODE/],
    [{ DATABASE_URL: 'postgres://h/db?sslmode=sometimes' }, /DATABASE_URL: sslmode/],
  ])('%o → one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('builds the URL from DB_* parts and never describes the password or the key', () => {
    const config = loadConfig({
      DB_HOST: 'db.internal',
      DB_USER: 'yaes',
      DB_PASSWORD: 's3cr3t p@ss',
      DB_NAME: 'yaes',
      DB_SSL_MODE: 'require',
      JWT_KEY: 'super-secret-signing-key-0123456789',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://yaes:s3cr3t%20p%40ss@db.internal:5432/yaes',
      tls: 'no-verify',
      poolSize: 10,
    });
    const described = JSON.stringify(config.describe());
    expect(described).toContain('db.internal');
    expect(described).not.toContain('s3cr3t');
    expect(described).not.toContain('super-secret');
  });
});

describe('the migrate command and cluster mode', () => {
  it('migrate reads only the database settings: production needs no JWT_KEY for it', () => {
    expect(loadDatabaseConfig({ APP_ENV: 'production', DATABASE_URL: 'postgres://db/yaes' })).toMatchObject({
      kind: 'postgres',
      url: 'postgres://db/yaes',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', JWT_TTL: '' })).toMatchObject({
      database: { kind: 'pglite' },
      jwtTtlS: 86400,
    });
  });

  it('refuses WORKERS > 1 on PGlite (one embedded database per process) or without JWT_KEY (one random key per worker)', () => {
    const key = { JWT_KEY: 'k'.repeat(32) };
    const pg = loadDatabaseConfig({ DATABASE_URL: 'postgres://db/y' });
    expect(() => assertWorkersFit({ kind: 'pglite', dataDir: undefined }, 2, key)).toThrow(
      /WORKERS=2 needs PostgreSQL/,
    );
    expect(() => assertWorkersFit({ kind: 'pglite', dataDir: undefined }, 1, {})).not.toThrow();
    expect(() => assertWorkersFit(pg, 4, {})).toThrow(/^invalid configuration: WORKERS=4 needs JWT_KEY/);
    expect(() => assertWorkersFit(pg, 1, {})).not.toThrow();
    expect(() => assertWorkersFit(pg, 4, key)).not.toThrow();
  });
});

describe('database URLs', () => {
  it.each([
    ['postgres://h/db', 'off'],
    ['postgres://h/db?sslmode=disable', 'off'],
    ['postgres://h/db?sslmode=prefer', 'no-verify'],
    ['postgres://h/db?sslmode=require', 'no-verify'],
    ['postgres://h/db?sslmode=verify-full&application_name=yaes', 'verify'],
  ])('%s → TLS %s, and sslmode leaves the URL (node-postgres would override our ssl option)', (url, tls) => {
    const split = splitTls(url);
    expect(split.tls).toBe(tls);
    expect(split.url).not.toContain('sslmode');
    expect(split.url).toContain('postgres://h/db');
  });

  it('encodes parts and redacts passwords', () => {
    expect(databaseUrlFromParts({ DB_HOST: 'h', DB_USER: 'u', DB_PASSWORD: 'p/w' })).toBe(
      'postgres://u:p%2Fw@h:5432/yaes',
    );
    expect(databaseUrlFromParts({})).toBeUndefined();
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('not a url')).not.toContain('not a url');
  });
});
