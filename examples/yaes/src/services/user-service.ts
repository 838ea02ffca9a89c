/** Registration, login, authentication and the user list. */
import type { PasswordHasher } from '../auth/passwords.js';
import type { TokenIssuer } from '../auth/tokens.js';
import type { Scope } from '../db/database.js';
import { unauthorized } from '../errors.js';
import type { User } from '../models/index.js';
import type { UserRepository } from '../repositories/types.js';

/** What registering needs. */
export interface Registration {
  username: string;
  firstName: string;
  lastName: string;
  mobileNumber: string;
  password: string;
}

/** The user use cases. */
export interface UserService {
  /** Creates a user; duplicate username/mobile → 422. */
  register(ctx: Scope, input: Registration): Promise<User>;
  /** A token for valid credentials; anything else → 401 with one message (no user enumeration). */
  login(ctx: Scope, username: string, password: string): Promise<string>;
  /** The live user a token belongs to; invalid/expired token or deleted user → 401. */
  authenticate(ctx: Scope, token: string): Promise<User>;
  /** Everyone but `me`. */
  listOthers(ctx: Scope, me: User): Promise<User[]>;
}

/**
 * Creates the user service. `toWire` renders the user claim the way the API shows users.
 * @example createUserService(repos.users, hasher, tokens, userJson)
 */
export function createUserService(
  users: UserRepository,
  passwords: PasswordHasher,
  tokens: TokenIssuer,
  toWire: (user: User) => unknown,
): UserService {
  return {
    async register(ctx, input) {
      const hashedPassword = await passwords.hash(input.password);
      return users.create(ctx, { ...input, hashedPassword });
    },
    async login(ctx, username, password) {
      const found = await users.findCredentials(ctx, username);
      const ok = await passwords.verify(password, found?.hashedPassword);
      if (!found || !ok) throw unauthorized('invalid username or password');
      return tokens.issue(found.user.id, toWire(found.user));
    },
    async authenticate(ctx, token) {
      const id = await tokens.verify(token);
      const user = await users.findById(ctx, id);
      if (!user) throw unauthorized('user no longer exists');
      return user;
    },
    listOthers: (ctx, me) => users.listExcept(ctx, me.id),
  };
}
