/** HTTP handlers for /expenses. */
import type { FastifyRequest } from 'fastify';
import { currentUser } from '../auth/current-user.js';
import { decode } from '../http/decode.js';
import { ExpenseBody } from '../http/schemas.js';
import { expenseJson } from '../http/wire.js';
import type { ExpenseService } from '../services/expense-service.js';

/** Handlers for the expense routes. */
export function expenseHandlers(expenses: ExpenseService) {
  return {
    /** GET /expenses → the expenses I created, payables included. */
    async list(req: FastifyRequest) {
      const mine = await expenses.listMine(req.ctx, currentUser(req.ctx));
      return mine.map(expenseJson);
    },
    /** POST /expenses → the created Expense (CreatedBy is always the caller). */
    async create(req: FastifyRequest) {
      const body = decode(ExpenseBody, req.body);
      const expense = await expenses.create(req.ctx, currentUser(req.ctx), {
        amount: body.Amount,
        place: body.Place,
        payables: body.Payables.map((p) => ({
          userId: p.UserID,
          ratioInPercentage: p.RatioInPercentage,
          amountOwed: p.AmountOwed,
          status: p.Status,
        })),
      });
      return expenseJson(expense);
    },
  };
}
