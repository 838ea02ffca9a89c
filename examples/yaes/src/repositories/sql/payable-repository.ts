import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { PayableRepository } from '../types.js';
import { rethrowDataError } from './database-errors.js';
import { toPayable } from './rows.js';

/** Payables in SQL. */
export function sqlPayableRepository(db: Db): PayableRepository {
  return {
    listOwedBy: async (ctx, userId, page) => {
      const rows = await db.scoped(ctx, (k) =>
        k
          .selectFrom('payables')
          .selectAll()
          .where('user_id', '=', userId)
          .where('deleted_at', 'is', null)
          .where('id', '>', page.after)
          .orderBy('id')
          .limit(page.limit)
          .execute(),
      );
      return rows.map(toPayable);
    },

    findWithCreator: async (ctx, id) => {
      const row = await db.scoped(ctx, (k) =>
        k
          .selectFrom('payables')
          .innerJoin('expenses', 'expenses.id', 'payables.expense_id')
          .selectAll('payables')
          .select('expenses.created_by as expense_created_by')
          .where('payables.id', '=', id)
          .where('payables.deleted_at', 'is', null)
          .where('expenses.deleted_at', 'is', null)
          .executeTakeFirst(),
      );
      return row && { payable: toPayable(row), expenseCreatedBy: row.expense_created_by };
    },

    update: async (ctx, id, patch) => {
      const row = await db
        .scoped(ctx, (k) =>
          k
            .updateTable('payables')
            .set({
              user_id: patch.userId,
              ratio_in_percentage: patch.ratioInPercentage,
              amount_owed: patch.amountOwed,
              status: patch.status,
              updated_at: sql<Date>`now()`,
            })
            .where('id', '=', id)
            .where('deleted_at', 'is', null)
            .returningAll()
            .executeTakeFirst(),
        )
        .catch(rethrowDataError);
      return row && toPayable(row);
    },
  };
}
