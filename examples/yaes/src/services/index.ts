/** Builds the three services over one set of repositories. */
import { createPasswordHasher } from '../auth/passwords.js';
import { createTokenIssuer } from '../auth/tokens.js';
import type { YaesConfig } from '../config/config.js';
import { userJson } from '../http/wire.js';
import type { Repositories } from '../repositories/types.js';
import { createExpenseService } from './expense-service.js';
import { createPayableService } from './payable-service.js';
import { createUserService } from './user-service.js';

export type { ExpenseInput, ExpenseService } from './expense-service.js';
export type { PayableService, PayableUpdate } from './payable-service.js';
export type { Registration, UserService } from './user-service.js';

/**
 * The YAES services wired to `repos` with the configured bcrypt cost and JWT key/TTL.
 * @example const services = createServices(config, sqlRepositories(db))
 */
export function createServices(
  config: Pick<YaesConfig, 'bcryptCost' | 'jwtKey' | 'jwtTtlS'>,
  repos: Repositories,
) {
  const tokens = createTokenIssuer(config.jwtKey, config.jwtTtlS);
  return {
    users: createUserService(repos.users, createPasswordHasher(config.bcryptCost), tokens, userJson),
    expenses: createExpenseService(repos.expenses, repos.users),
    payables: createPayableService(repos.payables, repos.users),
  };
}
