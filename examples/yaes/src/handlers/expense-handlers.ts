/** HTTP handlers for /expenses. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/current-user.js';
import { decode } from '../http/decode.js';
import { linkNextPage, pageOf } from '../http/paging.js';
import { ExpenseBody } from '../http/schemas.js';
import { expenseJson } from '../http/wire.js';
import type { ExpenseService } from '../services/expense-service.js';

/** Handlers for the expense routes. */
export function expenseHandlers(expenses: ExpenseService) {
  return {
    /**
     * GET /expenses?limit=&after= → a page of the expenses I created (by id, payables included); a full page
     * carries `Link: <…&after=LAST>; rel="next"`.
     */
    async list(req: FastifyRequest, reply: FastifyReply) {
      const page = pageOf(req);
      const mine = await expenses.listMine(req.ctx, currentUser(req.ctx), page);
      linkNextPage(reply, '/expenses', page, mine);
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
