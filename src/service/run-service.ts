/**
 * `runService`: the main entry of a service process. Validates config (a bad value → one line on stderr, exit
 * 2), runs `WORKERS` processes with node:cluster, and shuts down gracefully on SIGTERM/SIGINT (close-with-grace),
 * exiting 0.
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { ExitCode } from '../cli/usage-error.js';
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

/** The cluster primary: fork, forward signals, replace crashed workers, exit 0 when all have drained. */
function runPrimary(count: number): void {
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
      cluster.fork();
    } else if (Object.keys(cluster.workers ?? {}).length === 0) {
      process.exit(0);
    }
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
