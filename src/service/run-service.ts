/**
 * `runService`: the main entry of a service process. Validates config (a bad value → one line on stderr, exit
 * 2), runs `WORKERS` processes with node:cluster, and shuts down gracefully on SIGTERM/SIGINT (close-with-grace),
 * exiting 0.
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { ExitCode } from '../errors.js';
import { ConfigError, loadConfig } from './config.js';
import { createService } from './create-service.js';
import type { Service, ServiceDefinition } from './types.js';
import { resolveWorkers } from './workers.js';

/**
 * Runs the service until SIGTERM/SIGINT. With `WORKERS` > 1 the primary forks that many workers (sharing the
 * public and admin ports through node:cluster), forwards signals to them, replaces crashed ones, and exits 0
 * once all have drained. Resolves in a worker (or single process) once listening, with the service.
 * @example await runService({ name: 'yaes', routes })
 */
export async function runService(definition: ServiceDefinition): Promise<Service | undefined> {
  let workers: number;
  try {
    workers = resolveWorkers(loadConfig(definition.env ?? process.env, definition.config).workers);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.name}: ${error.message}\n`);
    process.exit(ExitCode.usage);
  }
  if (workers > 1 && cluster.isPrimary) {
    runPrimary(workers);
    return undefined;
  }
  const service = createService(definition);
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
    await service.listen();
  } catch (error) {
    service.logger.error({ err: error }, 'cannot listen');
    grace.uninstall();
    process.exit(1);
  }
  return service;
}

/**
 * The cluster primary: fork, forward signals, replace workers that crash while serving, exit once all have
 * drained — 0 when every worker exited cleanly. A worker that dies before it ever listened (a port in use, a
 * failing startup) is not replaced, which would only loop: the primary stops the others and exits 1.
 */
function runPrimary(count: number): void {
  let stopping = false;
  let failed = false;
  const serving = new Set<number>();
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(failed ? 1 : 0);
    for (const worker of workers) worker?.process.kill(signal);
  };
  cluster.on('listening', (worker) => serving.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const wasServing = serving.delete(worker.id);
    const clean = code === 0 && signal === null;
    if (stopping) {
      failed ||= !clean;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
    } else if (wasServing) {
      process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
      cluster.fork();
    } else {
      process.stderr.write(
        `worker ${worker.process.pid} exited (${signal ?? code}) before listening; stopping\n`,
      );
      failed = true;
      stop('SIGTERM');
    }
  });
  for (let i = 0; i < count; i++) cluster.fork();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
