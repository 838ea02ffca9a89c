/** HTTP handlers for /users and /login: decode, call the service, render. */
import type { FastifyRequest } from 'fastify';
import { currentUser } from '../auth/current-user.js';
import { decode } from '../http/decode.js';
import { LoginBody, RegistrationBody } from '../http/schemas.js';
import { userJson } from '../http/wire.js';
import type { UserService } from '../services/user-service.js';

/** Handlers for the user routes. */
export function userHandlers(users: UserService) {
  return {
    /** POST /users → the created User. */
    async register(req: FastifyRequest) {
      const body = decode(RegistrationBody, req.body);
      const user = await users.register(req.ctx, {
        username: body.Username,
        firstName: body.FirstName,
        lastName: body.LastName,
        mobileNumber: body.MobileNumber,
        password: body.Password,
      });
      return userJson(user);
    },
    /** POST /login → `{ token }`. */
    async login(req: FastifyRequest) {
      const body = decode(LoginBody, req.body);
      return { token: await users.login(req.ctx, body.Username, body.Password) };
    },
    /** GET /users → everyone but me. */
    async list(req: FastifyRequest) {
      const others = await users.listOthers(req.ctx, currentUser(req.ctx));
      return others.map(userJson);
    },
  };
}
