/** The bearer-token guard of the `/debug/*` routes when `ADMIN_TOKEN` is set (probes and /metrics stay open). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Makes every route of `scope` (an encapsulated plugin: the hook guards its routes, however the URL that reached
 * them was spelled, e.g. `/%64ebug/vars`) answer 401 unless `Authorization: Bearer <token>` matches. The
 * comparison is constant-time.
 */
export function requireBearerToken(scope: FastifyInstance, token: string): void {
  const expected = digest(`Bearer ${token}`);
  scope.addHook('onRequest', async (req, reply) => {
    const given = req.headers.authorization;
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) return;
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
  });
}
