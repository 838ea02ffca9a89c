/**
 * headroom-kit/service — an observable, overload-safe HTTP service runtime on fastify, pino, prom-client,
 * OpenTelemetry and @datadog/pprof, with headroom Contexts on every request.
 * @example
 * import { runService } from 'headroom-kit/service';
 * await runService({ name: 'hello', routes: async (app) => { app.get('/', async (req) => ({ id: req.id })) } });
 */

export {
  ExitCode,
  isUsageError,
  UsageError,
  type UsageErrorCode,
  type UsageErrorOptions,
} from '../errors.js';
export { MissingDependencyError } from '../optional-dependency.js';
export { type CheckResult, type DebugVars, type ReadinessCheck, runChecks } from './admin/index.js';
export { ConfigError, loadConfig, type ServiceConfig } from './config.js';
export { createService } from './create-service.js';
export { dependencyMetrics } from './dependency-metrics.js';
export { type ErrorBody, errorResponse } from './error-handler.js';
export { DURATION_BUCKETS, type ShedReason, UNMATCHED_ROUTE } from './http-metrics.js';
export { functionMetrics, instrument } from './instrument.js';
export { REDACT_PATHS } from './logger.js';
export { outboundHeaders } from './outbound-headers.js';
export { watchOutboundRequests } from './outbound-metrics.js';
export { type InstrumentablePool, type InstrumentPoolOptions, instrumentPool } from './pool-metrics.js';
export { type RequestInfo, requestInfo, requestInfoKey } from './request-context.js';
export { requestTimeoutMs } from './request-deadline.js';
export { runService } from './run-service.js';
export type { ListenResult, Service, ServiceDefinition } from './types.js';
export { cpuQuota, resolveWorkers } from './workers.js';
