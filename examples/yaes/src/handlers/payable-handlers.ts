/** HTTP handlers for /payables. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/current-user.js';
import { decode } from '../http/decode.js';
import { linkNextPage, pageOf } from '../http/paging.js';
import { IdParam, PayableUpdateBody } from '../http/schemas.js';
import { payableJson } from '../http/wire.js';
import type { PayableService } from '../services/payable-service.js';

/** Handlers for the payable routes. */
export function payableHandlers(payables: PayableService) {
  return {
    /**
     * GET /payables?limit=&after= → a page of what I owe (by id); a full page carries
     * `Link: <…&after=LAST>; rel="next"`.
     */
    async list(req: FastifyRequest, reply: FastifyReply) {
      const page = pageOf(req);
      const owed = await payables.listOwed(req.ctx, currentUser(req.ctx), page);
      linkNextPage(reply, '/payables', page, owed);
      return owed.map(payableJson);
    },
    /** PUT /payables/:id → the updated Payable; only the fields given change. */
    async update(req: FastifyRequest) {
      const { id } = decode(IdParam, req.params);
      const body = decode(PayableUpdateBody, req.body);
      const updated = await payables.update(req.ctx, currentUser(req.ctx), id, {
        id: body.ID,
        expenseId: body.ExpenseID,
        patch: {
          userId: body.UserID,
          ratioInPercentage: body.RatioInPercentage,
          amountOwed: body.AmountOwed,
          status: body.Status,
        },
      });
      return payableJson(updated);
    },
  };
}
