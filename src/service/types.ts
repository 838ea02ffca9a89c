/** The public shapes of headroom-kit/service: what you define, and the service you get. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ReadinessCheck } from './admin/probes.js';
import type { ServiceConfig } from './config.js';

/** Everything a service is: a name, routes, readiness checks and what to release on shutdown. */
export interface ServiceDefinition {
  /** The service name (logs, `/healthz`, trace resource). */
  name: string;
  /** The service version (`/healthz`, trace resource). Default `0.0.0`. */
  version?: string;
  /** A fastify plugin that adds the routes; it runs inside the service's hooks (context, metrics, logs). */
  routes?: FastifyPluginAsync;
  /** Readiness checks by name, run by `/readyz` with `READY_TIMEOUT`; throw when not ready. */
  checks?: Record<string, ReadinessCheck>;
  /** Called once during graceful shutdown after in-flight requests completed (release pools here). */
  onClose?: () => unknown;
  /** The configuration source (12-factor); default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Typed overrides applied after the environment (tests, embedding). */
  config?: Partial<ServiceConfig>;
  /** Where JSON log lines go instead of stdout (tests, benchmarks). */
  logDestination?: DestinationStream;
}

/** The URLs a listening service answers on. */
export interface ListenResult {
  /** The public base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The admin base URL, e.g. `http://127.0.0.1:9090`. */
  adminUrl: string;
}

/** A service built by `createService`: add routes to `app`, then `listen()`; `close()` drains gracefully. */
export interface Service {
  /** The public fastify instance (routes may be added until `listen()`). */
  readonly app: FastifyInstance;
  /** The admin fastify instance (probes, metrics, debug). */
  readonly admin: FastifyInstance;
  /** The root pino logger. */
  readonly logger: Logger;
  /** The validated configuration. */
  readonly config: ServiceConfig;
  /** The service's prom-client Registry: add your own metrics here; `/metrics` serves it. */
  readonly metrics: Registry;
  /** Starts both listeners. */
  listen(): Promise<ListenResult>;
  /**
   * Graceful shutdown: `/readyz` turns 503 at once, the public listener keeps accepting for `DRAIN_DELAY`, then
   * stops; in-flight requests complete (cancelled only when `SHUTDOWN_TIMEOUT` ends); then `onClose`, then the
   * admin listener. Idempotent.
   */
  close(): Promise<void>;
}
