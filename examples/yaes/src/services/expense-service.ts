/** Creating and listing expenses. */
import type { Scope } from '../db/database.js';
import { invalid } from '../errors.js';
import type { Expense, NewPayable, User } from '../models/index.js';
import type { ExpenseRepository, Page, UserRepository } from '../repositories/types.js';

/** An expense as the client submits it (money already exact decimal strings). */
export interface ExpenseInput {
  amount: string;
  place: string;
  payables: NewPayable[];
}

/** The expense use cases. */
export interface ExpenseService {
  /** Creates an expense by `me` with its payables, all or nothing; unknown payable users → 422. */
  create(ctx: Scope, me: User, input: ExpenseInput): Promise<Expense>;
  /** One page of the expenses `me` created, by id. */
  listMine(ctx: Scope, me: User, page: Page): Promise<Expense[]>;
}

/**
 * Creates the expense service.
 * @example createExpenseService(repos.expenses, repos.users).listMine(ctx, me)
 */
export function createExpenseService(expenses: ExpenseRepository, users: UserRepository): ExpenseService {
  return {
    async create(ctx, me, input) {
      const missing = await users.missingIds(
        ctx,
        input.payables.map((p) => p.userId),
      );
      if (missing.length > 0) throw invalid(`payable user ${missing.join(', ')} does not exist`);
      return expenses.create(ctx, { createdBy: me.id, ...input });
    },
    listMine: (ctx, me, page) => expenses.listByCreator(ctx, me.id, page),
  };
}
