import type { Db } from '../../db/database.js';
import type { Payable } from '../../models/index.js';
import type { ExpenseRepository } from '../types.js';
import { rethrowDataError } from './database-errors.js';
import { toExpense, toPayable } from './rows.js';

/** Expenses in SQL; an expense and its payables are written in one transaction. */
export function sqlExpenseRepository(db: Db): ExpenseRepository {
  return {
    create: (ctx, expense) =>
      db
        .scoped(ctx, (k) =>
          k.transaction().execute(async (trx) => {
            const row = await trx
              .insertInto('expenses')
              .values({ created_by: expense.createdBy, amount: expense.amount, place: expense.place })
              .returningAll()
              .executeTakeFirstOrThrow();
            const payables =
              expense.payables.length === 0
                ? []
                : await trx
                    .insertInto('payables')
                    .values(
                      expense.payables.map((p) => ({
                        expense_id: row.id,
                        user_id: p.userId,
                        ratio_in_percentage: p.ratioInPercentage,
                        amount_owed: p.amountOwed,
                        status: p.status,
                      })),
                    )
                    .returningAll()
                    .execute();
            return toExpense(
              row,
              payables.map(toPayable).sort((a, b) => a.id - b.id),
            );
          }),
        )
        .catch(rethrowDataError),

    listByCreator: (ctx, userId, page) =>
      db.scoped(ctx, async (k) => {
        const rows = await k
          .selectFrom('expenses')
          .selectAll()
          .where('created_by', '=', userId)
          .where('deleted_at', 'is', null)
          .where('id', '>', page.after)
          .orderBy('id')
          .limit(page.limit)
          .execute();
        if (rows.length === 0) return [];
        const payables = await k
          .selectFrom('payables')
          .selectAll()
          .where(
            'expense_id',
            'in',
            rows.map((r) => r.id),
          )
          .where('deleted_at', 'is', null)
          .orderBy('id')
          .execute();
        const byExpense = new Map<number, Payable[]>();
        for (const p of payables) {
          const list = byExpense.get(p.expense_id) ?? [];
          list.push(toPayable(p));
          byExpense.set(p.expense_id, list);
        }
        return rows.map((r) => toExpense(r, byExpense.get(r.id) ?? []));
      }),
  };
}
