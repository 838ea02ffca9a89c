/**
 * The admin listener (`ADMIN_PORT` on `ADMIN_HOST`): probes, `/metrics`, and the debug endpoints. Nothing here
 * is ever mounted on the public port.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { requireBearerToken } from './auth.js';
import type { DebugVarsCollector } from './debug-vars.js';
import { registerLogLevelRoutes } from './log-level.js';
import { registerPprofRoutes } from './pprof.js';
import { type ProbeState, registerProbes } from './probes.js';
import { registerTraceRoute } from './trace.js';

/** What the admin server exposes. */
export interface AdminOptions extends ProbeState {
  /** The service's root logger: `/debug/loglevel` reads and sets its level. */
  logger: Logger;
  /** Registries concatenated by `/metrics` (the service's and the process-wide `instrument()` one). */
  registries: Registry[];
  /** The runtime variables behind `/debug/vars`. */
  vars: DebugVarsCollector;
  /** Extra fields merged into `/debug/vars` (e.g. in-flight requests). */
  extraVars: () => Record<string, unknown>;
  /** `ADMIN_TOKEN`: when set, every `/debug/*` route needs `Authorization: Bearer <token>`. */
  adminToken: string | undefined;
}

/** Builds the admin fastify instance (not listening yet). */
export function createAdminServer(options: AdminOptions): FastifyInstance {
  const admin = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerProbes(admin, options);
  admin.get('/metrics', async (_req, reply) => {
    const texts = await Promise.all(options.registries.map((r) => r.metrics()));
    return reply.type(options.registries[0]?.contentType ?? 'text/plain').send(texts.join('\n'));
  });
  // The debug routes live in one encapsulated plugin, so the token hook guards exactly these routes.
  admin.register(async (debug) => {
    if (options.adminToken) requireBearerToken(debug, options.adminToken);
    debug.get('/debug/vars', async () => ({ ...options.vars.read(), ...options.extraVars() }));
    registerLogLevelRoutes(debug, options.logger);
    registerPprofRoutes(debug);
    registerTraceRoute(debug);
  });
  return admin;
}
