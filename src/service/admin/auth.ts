/** The bearer-token guard for `/debug/*` when `ADMIN_TOKEN` is set (probes and /metrics stay open). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Makes every `/debug/*` route on `admin` answer 401 unless `Authorization: Bearer <token>` matches. */
export function requireDebugToken(admin: FastifyInstance, token: string): void {
  const expected = digest(`Bearer ${token}`);
  admin.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/debug/')) return;
    const given = req.headers.authorization;
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) return;
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
  });
}
