/**
 * 405 for a known path asked with a method it does not serve (fastify alone would answer 404). Answered in the
 * route's `onRequest` hook: route matching decides, before any body is read or parsed, so a wrong method is a
 * 405 whatever the body (an empty JSON body, a wrong content type, a huge one).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';

/**
 * Registers a 405 (with `Allow`) on `url` for every method fastify routes that is not in `allowed`. HEAD follows
 * GET: fastify exposes a HEAD route next to each GET one, the API's or this 405's.
 * @example methodNotAllowed(app, '/users', ['GET', 'POST'])
 */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  const refuse = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.code(405).header('allow', allow).send({ error: 'method not allowed' });
  app.route({
    method: app.supportedMethods.filter((m) => m !== 'HEAD' && !allowed.includes(m as HTTPMethods)),
    url,
    onRequest: refuse,
    handler: refuse,
  });
}
