/**
 * `createService`: one call wires fastify, pino, prom-client, OpenTelemetry, pprof and headroom contexts into a
 * production-grade service with a public and an admin listener and a graceful shutdown.
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { noticeImplicitOff } from '../context/implicit.js';
import { background, withCancel } from '../context/index.js';
import { createAdminServer, DebugVarsCollector, startHeapProfiler } from './admin/index.js';
import { watchBlocks } from './block-watchdog.js';
import { ConcurrencyLimit, cpuShareMeter } from './concurrency-limit.js';
import { adminDebugExposed, loadConfig } from './config.js';
import { ConnectionDrain } from './connection-drain.js';
import { dependencyMetrics } from './dependency-metrics.js';
import { installErrorHandlers } from './error-handler.js';
import { HttpMetrics } from './http-metrics.js';
import { functionMetrics, setInstrumentLogger } from './instrument.js';
import { createLogger } from './logger.js';
import { LoopMonitor } from './loop-monitor.js';
import { watchOutboundRequests } from './outbound-metrics.js';
import { poolsWaiting } from './pool-metrics.js';
import { installRequestHooks } from './request-hooks.js';
import { requestId } from './request-id.js';
import { setupTracing } from './tracing.js';
import type { ListenResult, Service, ServiceDefinition } from './types.js';

/**
 * Builds a service from its definition; nothing listens until `listen()`. Config comes from `definition.env`
 * (default `process.env`) and is validated: a bad value throws a ConfigError naming the variable.
 * @example
 * const service = createService({ name: 'yaes', routes: async (app) => { app.get('/hi', async () => 'hi') } });
 * const { url, adminUrl } = await service.listen();
 */
export function createService(definition: ServiceDefinition): Service {
  const config = loadConfig(definition.env ?? process.env, definition.config);
  const name = definition.name;
  const version = definition.version ?? '0.0.0';
  const logger = createLogger(config, { name, destination: definition.logDestination });
  setInstrumentLogger(logger);
  if (adminDebugExposed(config)) {
    logger.warn(
      { adminHost: config.adminHost },
      'ADMIN_HOST is not loopback and ADMIN_TOKEN is unset: /debug/* (CPU profiles, heap, log level) answers anyone ' +
        'who reaches the admin port; APP_ENV=production refuses to start like this',
    );
  }

  if (!config.implicitContext) {
    noticeImplicitOff(() =>
      logger.warn(
        'current() was called outside any run() and returned background(): with IMPLICIT_CONTEXT=off route handlers ' +
          'do not run with their request Context as current(); pass req.ctx explicitly (or set IMPLICIT_CONTEXT=on)',
      ),
    );
  }

  const registry = new Registry();
  watchOutboundRequests();
  collectDefaultMetrics({ register: registry });
  const metrics = new HttpMetrics(registry);
  const tracing = setupTracing({ serviceName: name, version, otlpEndpoint: config.otlpEndpoint });
  const blocks = watchBlocks(config.blockWarnMs);
  const monitor = new LoopMonitor({
    blockWarnMs: config.blockWarnMs,
    // `stack`: the top frames the watchdog caught the loop in (absent when it could not catch this block).
    onBlock: (blockedMs) => {
      const warn = (stack?: string[]) =>
        logger.warn({ blockedMs: Math.round(blockedMs), stack }, 'event loop blocked');
      if (blocks === null) warn();
      else void blocks.take().then(warn, () => warn());
    },
  });
  const maxInflight = config.maxInflight > 0 ? config.maxInflight : Number.POSITIVE_INFINITY;
  const limiter = config.adaptiveConcurrency
    ? new ConcurrencyLimit({
        max: maxInflight,
        min: Math.min(config.adaptiveMinInflight, maxInflight),
        tolerance: config.adaptiveTolerance,
        // One long block (a GC, a big JSON.parse) delays every request in flight: latency it explains is no queue
        // the limit can shorten. A saturated loop is one (each request waits for the loop at every hop), and with
        // shed requests answered after SHED_DELAY, shrinking there does not turn the CPU into 503s.
        stallMs: () => monitor.longestMs,
        inflight: () => metrics.inflight,
        // Latency from other processes holding the cores (a noisy neighbour, the database, the load generator) is
        // no queue a lower limit shortens: the limit judges latency against the baseline stretched by it.
        cpuShare: cpuShareMeter(),
        poolWaiting: poolsWaiting,
      })
    : null;
  const inflightLimit = () => (limiter === null ? maxInflight : limiter.limit);
  metrics.limit = inflightLimit;
  const vars = new DebugVarsCollector();
  const [root, cancelAll] = withCancel(background());
  let draining = false;

  const app = Fastify({
    // No logger for fastify itself: given one, it makes (or asks a factory for, and validates) a child logger for
    // every request. The request hooks bind one per admitted request (reqId + traceId) and the service logger to
    // the others; `app.log` is the service logger (below).
    logger: false,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    // While closing, requests on open keep-alive connections are served (with Connection: close), not 503'd.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;
  app.log = logger as FastifyBaseLogger;
  const connections = new ConnectionDrain(app.server);
  installRequestHooks(app, { config, logger, metrics, tracing, monitor, limiter, root });
  installErrorHandlers(app);
  if (definition.routes) app.register(definition.routes);

  const admin = createAdminServer({
    name,
    version,
    checks: definition.checks ?? {},
    timeoutMs: config.readyTimeoutMs,
    draining: () => draining,
    logger,
    registries: [registry, functionMetrics, dependencyMetrics],
    vars,
    extraVars: () => ({
      name,
      version,
      inflight: metrics.inflight,
      // JSON has no Infinity: null = no limit.
      inflightLimit: Number.isFinite(inflightLimit()) ? inflightLimit() : null,
      latencyBaselineMs: limiter !== null && Number.isFinite(limiter.baselineMs) ? limiter.baselineMs : null,
      latencyProbes: limiter?.probes ?? null,
      eventLoopDelayMs: monitor.delayMs,
    }),
    adminToken: config.adminToken,
  });
  // A probe or scrape in flight at shutdown gets Connection: close instead of holding its connection open after.
  new ConnectionDrain(admin.server, { quietMs: 0 });

  let closing: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    draining = true;
    connections.closeAfterNextResponse();
    logger.info({ drainDelayMs: config.drainDelayMs, inflight: metrics.inflight }, 'shutting down');
    if (config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs));
    const grace = setTimeout(() => {
      logger.warn({ inflight: metrics.inflight }, 'grace period over: cancelling in-flight requests');
      cancelAll();
      setTimeout(() => app.server.closeAllConnections(), 1000).unref();
    }, config.shutdownTimeoutMs);
    grace.unref();
    try {
      await app.close();
    } finally {
      clearTimeout(grace);
      cancelAll();
    }
    try {
      await definition.onClose?.();
    } finally {
      monitor.stop();
      blocks?.release();
      limiter?.stop();
      vars.stop();
      if (!config.implicitContext) noticeImplicitOff(undefined);
      await tracing.flush();
      await admin.close();
      logger.info('shut down');
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    }
  }

  return {
    app,
    admin,
    logger,
    config,
    metrics: registry,
    async listen(): Promise<ListenResult> {
      await startHeapProfiler();
      await app.listen({ port: config.port, host: config.host });
      // A cluster worker's ephemeral admin port is its own (runService's primary forwards to it), not shared.
      const exclusive = cluster.isWorker && config.adminPort === 0;
      await admin.listen({ port: config.adminPort, host: config.adminHost, exclusive });
      const result = {
        url: baseUrl(app.server.address() as AddressInfo),
        adminUrl: baseUrl(admin.server.address() as AddressInfo),
      };
      logger.info(result, 'listening');
      logger.flush(); // stdout is buffered: whoever waits for this line should not wait for the next batch
      return result;
    },
    close(): Promise<void> {
      closing ??= shutdown();
      return closing;
    },
  };
}

/** `http://host:port` for a bound address; wildcard hosts become loopback (the URL must be dialable). */
function baseUrl(address: AddressInfo): string {
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '[::1]';
  else if (host.includes(':')) host = `[${host}]`;
  return `http://${host}:${address.port}`;
}
