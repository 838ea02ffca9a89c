/** Listing and updating payables. */
import type { Scope } from '../db/database.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { Payable, PayablePatch, User } from '../models/index.js';
import type { Page, PayableRepository, UserRepository } from '../repositories/types.js';

/** A PUT body: the patch plus identity fields a client may echo back (checked, never changed). */
export interface PayableUpdate {
  patch: PayablePatch;
  id?: number | undefined;
  expenseId?: number | undefined;
}

/** The payable use cases. */
export interface PayableService {
  /** One page of the payables `me` owes, by id. */
  listOwed(ctx: Scope, me: User, page: Page): Promise<Payable[]>;
  /** Updates the given fields only; 404 unknown, 403 unless `me` created the expense, 422 if IDs differ. */
  update(ctx: Scope, me: User, id: number, update: PayableUpdate): Promise<Payable>;
}

/**
 * Creates the payable service.
 * @example createPayableService(repos.payables, repos.users).listOwed(ctx, me, { limit: 100, after: 0 })
 */
export function createPayableService(payables: PayableRepository, users: UserRepository): PayableService {
  return {
    listOwed: (ctx, me, page) => payables.listOwedBy(ctx, me.id, page),
    async update(ctx, me, id, { patch, id: bodyId, expenseId }) {
      const found = await payables.findWithCreator(ctx, id);
      if (!found) throw notFound(`payable ${id} not found`);
      if (found.expenseCreatedBy !== me.id)
        throw forbidden('only the expense creator may change its payables');
      if (bodyId !== undefined && bodyId !== id) throw invalid('ID does not match the path');
      if (expenseId !== undefined && expenseId !== found.payable.expenseId) {
        throw invalid('ExpenseID cannot be changed');
      }
      if (patch.userId !== undefined && patch.userId !== found.payable.userId) {
        const missing = await users.missingIds(ctx, [patch.userId]);
        if (missing.length > 0) throw invalid(`payable user ${patch.userId} does not exist`);
      }
      const updated = await payables.update(ctx, id, patch);
      if (!updated) throw notFound(`payable ${id} not found`);
      return updated;
    },
  };
}
