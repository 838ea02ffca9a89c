/** The authenticated user, carried in the request's Context under a typed key. */

import type { Context } from 'headroom-kit/context';
import { createKey } from 'headroom-kit/context';
import type { User } from '../models/index.js';

/** The Context key of the authenticated user (set by the auth hook, reloaded from the DB per request). */
export const currentUserKey = createKey<User>('yaes.user');

/**
 * The authenticated user of `ctx`.
 * @throws Error when called on a route without the auth hook (a wiring bug, hence a 500).
 */
export function currentUser(ctx: Context): User {
  const user = ctx.value(currentUserKey);
  if (!user) throw new Error('currentUser() on a route without authentication');
  return user;
}
