/** The onRequest hook that turns a Bearer token into the current user in `req.ctx`. */
import type { FastifyRequest } from 'fastify';
import { run, withValue } from 'headroom-kit/context';
import { bearerToken } from '../auth/bearer.js';
import { currentUserKey } from '../auth/current-user.js';
import type { UserService } from '../services/user-service.js';

/**
 * A hook that authenticates the request (401 on any failure) and stores the user under `currentUserKey`.
 * Used as `onRequest`, so an anonymous client gets its 401 before any body is read or parsed (the original
 * authenticated before decoding too). It runs with the request's Context current, so the user lookup's
 * logs and spans carry the request id.
 * @example app.get('/users', { onRequest: authenticate(users) }, handler)
 */
export function authenticate(users: UserService) {
  return async (req: FastifyRequest): Promise<void> => {
    const token = bearerToken(req.headers.authorization);
    const user = await run(req.ctx, () => users.authenticate(req.ctx, token));
    req.ctx = withValue(req.ctx, currentUserKey, user);
  };
}
