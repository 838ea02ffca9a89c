/** The Kysely repositories. */
import type { Db } from '../../db/database.js';
import type { Repositories } from '../types.js';
import { sqlExpenseRepository } from './expense-repository.js';
import { sqlPayableRepository } from './payable-repository.js';
import { sqlUserRepository } from './user-repository.js';

/** All repositories over one database. */
export function sqlRepositories(db: Db): Repositories {
  return {
    users: sqlUserRepository(db),
    expenses: sqlExpenseRepository(db),
    payables: sqlPayableRepository(db),
  };
}
