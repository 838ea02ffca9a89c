/** Runs YAES: `npm start -w examples/yaes` (PORT, ADMIN_PORT, DATABASE_URL… from the environment). */
import cluster from 'node:cluster';
import { loadConfig, resolveWorkers, runService } from 'headroom-kit/service';
import { defineYaes } from './app.js';
import { assertWorkersFit, loadDatabaseConfig } from './config/config.js';

try {
  const workers = resolveWorkers(loadConfig(process.env).workers);
  assertWorkersFit(loadDatabaseConfig(process.env), workers, process.env);
  if (cluster.isPrimary && workers > 1) {
    // The primary only forks and supervises; each worker opens its own pool (and, in dev, migrates under a lock).
    await runService({ name: 'yaes', env: process.env });
  } else {
    const { definition } = await defineYaes({ env: process.env });
    await runService(definition);
  }
} catch (error) {
  process.stderr.write(`yaes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
