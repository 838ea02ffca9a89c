/**
 * `GET|PUT /debug/loglevel`: read or change the level of a running process (zap's AtomicLevel handler).
 * PUT takes `{"level":"debug"}` or a plain-text level; requests started after the change log at the new level.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Registers the log-level routes for `logger` on `scope` (the admin server's debug plugin). */
export function registerLogLevelRoutes(scope: FastifyInstance, logger: Logger): void {
  scope.get('/debug/loglevel', async () => ({ level: logger.level }));
  scope.put<{ Body: unknown }>('/debug/loglevel', async (req, reply) => {
    const body = req.body;
    const level = typeof body === 'string' ? body.trim() : (body as { level?: unknown } | null)?.level;
    const known = Object.keys(logger.levels.values).concat('silent');
    if (typeof level !== 'string' || !known.includes(level)) {
      return reply
        .code(400)
        .send({ error: `unknown level ${JSON.stringify(level)} (use ${known.join('|')})` });
    }
    const previous = logger.level;
    logger.level = level;
    logger.warn({ previous, level }, 'log level changed');
    return { level };
  });
}
