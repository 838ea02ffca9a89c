/**
 * The repository contracts the services depend on. Every method takes the caller's context first (as in
 * Go): its end stops the database work. Two implementations: `sql/` (Kysely) and `memory/` (benchmarks).
 */
import type { Scope } from '../db/database.js';
import type { Expense, NewExpense, NewUser, Payable, PayablePatch, User } from '../models/index.js';

/** Users. */
export interface UserRepository {
  /** Stores a user; a taken username or mobile number → 422. */
  create(ctx: Scope, user: NewUser): Promise<User>;
  /** A live user by id. */
  findById(ctx: Scope, id: number): Promise<User | undefined>;
  /** A live user and its password hash, for login. */
  findCredentials(ctx: Scope, username: string): Promise<{ user: User; hashedPassword: string } | undefined>;
  /** Every live user but `id`, by id. */
  listExcept(ctx: Scope, id: number): Promise<User[]>;
  /** Which of `ids` are not live users. */
  missingIds(ctx: Scope, ids: readonly number[]): Promise<number[]>;
}

/** Expenses with their payables. */
export interface ExpenseRepository {
  /** Stores the expense and all its payables in one transaction. */
  create(ctx: Scope, expense: NewExpense): Promise<Expense>;
  /** One page of the expenses created by `userId`, with payables, by id. */
  listByCreator(ctx: Scope, userId: number, page: Page): Promise<Expense[]>;
}

/** A page of a list ordered by id: at most `limit` items whose id is above `after` (0: from the start). */
export interface Page {
  limit: number;
  after: number;
}

/** Payables. */
export interface PayableRepository {
  /** One page of the payables `userId` owes, by id. */
  listOwedBy(ctx: Scope, userId: number, page: Page): Promise<Payable[]>;
  /** A live payable and the creator of its expense. */
  findWithCreator(
    ctx: Scope,
    id: number,
  ): Promise<{ payable: Payable; expenseCreatedBy: number } | undefined>;
  /** Changes only the given fields; undefined if the payable is gone. */
  update(ctx: Scope, id: number, patch: PayablePatch): Promise<Payable | undefined>;
}

/** All repositories of one storage. */
export interface Repositories {
  users: UserRepository;
  expenses: ExpenseRepository;
  payables: PayableRepository;
}
