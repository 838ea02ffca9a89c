/**
 * `runService`: the main entry of a service process. Validates config (a bad value → one line on stderr, exit
 * 2), runs `WORKERS` processes with node:cluster, and shuts down gracefully on SIGTERM/SIGINT (close-with-grace),
 * exiting 0.
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { AggregatorRegistry } from 'prom-client';
import { ExitCode } from '../errors.js';
import { createClusterAdmin, type WorkerAdmin } from './admin/cluster-admin.js';
import { workerTraceArgv } from './admin/trace-recorder.js';
import { adminDebugExposed, ConfigError, loadConfig, type ServiceConfig } from './config.js';
import { createService } from './create-service.js';
import { dependencyMetrics } from './dependency-metrics.js';
import { functionMetrics } from './instrument.js';
import { createLogger } from './logger.js';
import type { Service, ServiceDefinition } from './types.js';
import { resolveWorkers } from './workers.js';

/**
 * Runs the service until SIGTERM/SIGINT. With `WORKERS` > 1 the primary forks that many workers (sharing the
 * public port through node:cluster), serves the admin port for all of them, forwards signals to them, replaces
 * crashed ones, and exits 0 once all have drained. Resolves in a worker (or single process) once listening, with
 * the service.
 * @example await runService({ name: 'yaes', routes })
 */
export async function runService(definition: ServiceDefinition): Promise<Service | undefined> {
  let config: ServiceConfig;
  let workers: number;
  try {
    config = loadConfig(definition.env ?? process.env, definition.config);
    workers = resolveWorkers(config.workers);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.name}: ${error.message}\n`);
    process.exit(ExitCode.usage);
  }
  if (workers > 1 && cluster.isPrimary) {
    runPrimary(workers, definition, config);
    return undefined;
  }
  // Our cluster worker's admin server is private (loopback, its own port): the primary serves ADMIN_PORT.
  const forked = cluster.isWorker && process.env[FORKED_ENV] === '1';
  const service = createService(
    forked
      ? { ...definition, config: { ...definition.config, adminPort: 0, adminHost: '127.0.0.1' } }
      : definition,
  );
  if (forked) {
    AggregatorRegistry.setRegistries([service.metrics, functionMetrics, dependencyMetrics]);
    new AggregatorRegistry(); // answers the primary's requests for this worker's metrics over IPC
  }
  const grace = closeWithGrace(
    {
      delay: service.config.drainDelayMs + service.config.shutdownTimeoutMs + 5000,
      logger: { error: (message: unknown) => service.logger.error(message) },
      // A cluster worker can get the signal twice (terminal process group + the primary forwarding it).
      ...(cluster.isWorker ? { onSecondSignal: () => {} } : {}),
    },
    async ({ signal, err }) => {
      if (err) service.logger.error({ err }, 'fatal error, shutting down');
      else service.logger.info({ signal }, 'signal received');
      await service.close();
    },
  );
  try {
    const { adminUrl } = await service.listen();
    if (forked) process.send?.({ type: ADMIN_URL_MESSAGE, url: adminUrl });
  } catch (error) {
    service.logger.error({ err: error }, 'cannot listen');
    grace.uninstall();
    process.exit(1);
  }
  return service;
}

/** The IPC message a worker sends once its private admin server listens. */
const ADMIN_URL_MESSAGE = 'headroom:admin-url';
/** Set in the environment of the workers runPrimary forks (not those of another cluster manager, e.g. pm2). */
const FORKED_ENV = 'HEADROOM_CLUSTER_WORKER';

/**
 * The cluster primary: serve the admin port (aggregated over the workers), fork, forward signals, replace workers
 * that crash while serving, exit once all have drained — 0 when every worker exited cleanly. A worker that dies
 * before it ever listened (a port in use, a failing startup) is not replaced, which would only loop: the primary
 * stops the others and exits 1.
 */
function runPrimary(count: number, definition: ServiceDefinition, config: ServiceConfig): void {
  let stopping = false;
  let failed = false;
  const serving = new Set<number>();
  const admins = new Map<number, WorkerAdmin>();
  // Each worker writes its /debug/trace events to its own file.
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...workerTraceArgv()] });
  const admin = createClusterAdmin({
    name: definition.name,
    version: definition.version ?? '0.0.0',
    workers: () => [...admins.values()].sort((a, b) => a.id - b.id),
    draining: () => stopping,
    adminToken: config.adminToken,
  });
  const logger = createLogger(config, { name: definition.name });
  if (adminDebugExposed(config)) {
    logger.warn(
      { adminHost: config.adminHost },
      'ADMIN_HOST is not loopback and ADMIN_TOKEN is unset: /debug/* (CPU profiles, heap, log level) answers ' +
        'anyone who reaches the admin port; APP_ENV=production refuses to start like this',
    );
  }
  const exit = (code: number) => void admin.close().finally(() => logger.flush(() => process.exit(code)));
  cluster.on('message', (worker, message: { type?: string; url?: string }) => {
    if (message?.type === ADMIN_URL_MESSAGE && typeof message.url === 'string') {
      admins.set(worker.id, { id: worker.id, pid: worker.process.pid ?? 0, url: message.url });
    }
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) exit(failed ? 1 : 0);
    for (const worker of workers) worker?.process.kill(signal);
  };
  cluster.on('listening', (worker) => serving.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const wasServing = serving.delete(worker.id);
    admins.delete(worker.id);
    const clean = code === 0 && signal === null;
    if (stopping) {
      failed ||= !clean;
      if (Object.keys(cluster.workers ?? {}).length === 0) exit(failed ? 1 : 0);
    } else if (wasServing) {
      process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
      cluster.fork({ [FORKED_ENV]: '1' });
    } else {
      process.stderr.write(
        `worker ${worker.process.pid} exited (${signal ?? code}) before listening; stopping\n`,
      );
      failed = true;
      stop('SIGTERM');
    }
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  admin.listen({ port: config.adminPort, host: config.adminHost }).then(
    (address) => {
      logger.info(
        { adminUrl: address.replace('0.0.0.0', '127.0.0.1'), workers: count },
        'cluster admin listening',
      );
      logger.flush();
      for (let i = 0; i < count; i++) cluster.fork({ [FORKED_ENV]: '1' });
    },
    (error: Error) => {
      process.stderr.write(`${definition.name}: cannot listen on the admin port: ${error.message}\n`);
      process.exit(1);
    },
  );
}
