/**
 * In-memory repositories with the SQL ones' behaviour (soft-delete aside): for benchmarks that measure the
 * services without a database — the course's "mock" — and for fast unit tests.
 */
import { invalid } from '../../errors.js';
import type { Expense, Payable, User } from '../../models/index.js';
import type { Repositories } from '../types.js';

/** Fresh, empty in-memory repositories. */
export function memoryRepositories(): Repositories {
  const users = new Map<number, { user: User; hashedPassword: string }>();
  const expenses = new Map<number, Expense>();
  const payables = new Map<number, Payable>();
  let nextId = 1;
  const stamp = () => ({ id: nextId++, createdAt: new Date(), updatedAt: new Date(), deletedAt: null });
  const byCreator = new Map<number, Expense[]>();

  return {
    users: {
      async create(_ctx, { hashedPassword, ...fields }) {
        for (const { user } of users.values()) {
          if (user.username === fields.username) throw invalid('username is already taken');
          if (user.mobileNumber === fields.mobileNumber) throw invalid('mobile number is already registered');
        }
        const user = { ...stamp(), ...fields };
        users.set(user.id, { user, hashedPassword });
        return user;
      },
      findById: async (_ctx, id) => users.get(id)?.user,
      findCredentials: async (_ctx, username) =>
        [...users.values()].find((u) => u.user.username === username),
      listExcept: async (_ctx, id) => [...users.values()].map((u) => u.user).filter((u) => u.id !== id),
      missingIds: async (_ctx, ids) => [...new Set(ids)].filter((id) => !users.has(id)),
    },
    expenses: {
      async create(_ctx, { payables: owed, ...fields }) {
        const expense: Expense = { ...stamp(), ...fields, payables: [] };
        expense.payables = owed.map((p) => ({ ...stamp(), ...p, expenseId: expense.id }));
        for (const p of expense.payables) payables.set(p.id, p);
        expenses.set(expense.id, expense);
        const list = byCreator.get(expense.createdBy) ?? [];
        list.push(expense);
        byCreator.set(expense.createdBy, list);
        return expense;
      },
      listByCreator: async (_ctx, userId, { limit, after }) =>
        (byCreator.get(userId) ?? []).filter((e) => e.id > after).slice(0, limit),
    },
    payables: {
      async listOwedBy(_ctx, userId, { limit, after }) {
        // Ids grow with insertion, so the map is in id order: stop at a full page.
        const page: Payable[] = [];
        for (const p of payables.values()) {
          if (page.length === limit) break;
          if (p.userId === userId && p.id > after) page.push(p);
        }
        return page;
      },
      async findWithCreator(_ctx, id) {
        const payable = payables.get(id);
        const expense = payable && expenses.get(payable.expenseId);
        return payable && expense && { payable, expenseCreatedBy: expense.createdBy };
      },
      async update(_ctx, id, patch) {
        const payable = payables.get(id);
        if (!payable) return undefined;
        for (const [key, value] of Object.entries(patch)) {
          if (value !== undefined) Object.assign(payable, { [key]: value });
        }
        payable.updatedAt = new Date();
        return payable;
      },
    },
  };
}
