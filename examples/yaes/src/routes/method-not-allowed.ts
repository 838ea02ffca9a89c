/** 405 for a known path asked with a method it does not serve (fastify alone would answer 404). */
import type { FastifyInstance, HTTPMethods } from 'fastify';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Registers a 405 (with `Allow`) on `url` for every method not in `allowed`.
 * @example methodNotAllowed(app, '/users', ['GET', 'POST'])
 */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: METHODS.filter((m) => !allowed.includes(m)),
    url,
    handler: async (_req, reply) =>
      reply.code(405).header('allow', allow).send({ error: 'method not allowed' }),
  });
}
