/** The preHandler hook that turns a Bearer token into the current user in `req.ctx`. */
import type { FastifyRequest } from 'fastify';
import { withValue } from 'headroom/context';
import { bearerToken } from '../auth/bearer.js';
import { currentUserKey } from '../auth/current-user.js';
import type { UserService } from '../services/user-service.js';

/**
 * A hook that authenticates the request (401 on any failure) and stores the user under `currentUserKey`.
 * @example app.get('/users', { preHandler: authenticate(users) }, handler)
 */
export function authenticate(users: UserService) {
  return async (req: FastifyRequest): Promise<void> => {
    const token = bearerToken(req.headers.authorization);
    const user = await users.authenticate(req.ctx, token);
    req.ctx = withValue(req.ctx, currentUserKey, user);
  };
}
