/**
 * YAES composed on headroom-kit/service: config → database (migrated in dev) → repositories (instrumented) →
 * services → routes. `createYaes` returns the service ready to `listen()`; `main.ts` runs it.
 */
import type { FastifyInstance } from 'fastify';
import { createService, type ServiceDefinition } from 'headroom-kit/service';
import { loadConfig, type YaesConfig } from './config/config.js';
import { type Db, openDatabase } from './db/database.js';
import { instrumentRepositories } from './repositories/instrumented.js';
import { sqlRepositories } from './repositories/sql/index.js';
import { yaesRoutes } from './routes/index.js';
import { createServices } from './services/index.js';

/** Options beyond the environment. */
export interface YaesOptions {
  env: NodeJS.ProcessEnv;
  /** Extra routes registered next to the API's (tests use it for fault-injection routes). */
  extraRoutes?: (app: FastifyInstance, db: Db) => void | Promise<void>;
  /** Where JSON log lines go instead of stdout (tests read them). */
  logDestination?: ServiceDefinition['logDestination'];
}

/** The YAES service definition for headroom-kit/service, with the database it owns. */
export interface YaesDefinition {
  definition: ServiceDefinition;
  config: YaesConfig;
  db: Db;
}

/**
 * Validates the configuration and opens (and in dev migrates) the database; the returned definition feeds
 * `createService` or `runService`. Closing the service closes the database.
 * @throws Error with one line for a bad configuration or a failed migration.
 */
export async function defineYaes(options: YaesOptions): Promise<YaesDefinition> {
  const config = loadConfig(options.env);
  const db = openDatabase(config.database, (error) => {
    process.emitWarning(`database pool: ${error.message}`);
  });
  try {
    if (config.migrateOnStart) await db.migrate();
  } catch (error) {
    await db.close();
    throw error;
  }
  const services = createServices(config, instrumentRepositories(sqlRepositories(db)));
  const definition: ServiceDefinition = {
    name: 'yaes',
    version: '1.0.0',
    env: options.env,
    routes: async (app) => {
      app.log.info({ config: config.describe() }, 'yaes configured');
      if (config.jwtKeyEphemeral)
        app.log.warn(
          'JWT_KEY is not set: tokens are signed with a random key and stop working when this process exits',
        );
      await app.register(yaesRoutes(services));
      if (options.extraRoutes) await app.register((scoped) => options.extraRoutes?.(scoped, db));
    },
    checks: { db: (ctx) => db.ping(ctx) },
    onClose: () => db.close(),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  };
  return { definition, config, db };
}

/**
 * Creates the YAES service (not yet listening).
 * @example const { service } = await createYaes({ env: process.env }); const { url } = await service.listen();
 */
export async function createYaes(options: YaesOptions) {
  const yaes = await defineYaes(options);
  return { ...yaes, service: createService(yaes.definition) };
}
