/** The in-memory repositories page like the SQL ones: by id, at most `limit`, above `after`, only the user's own. */
import { describe, expect, it } from 'vitest';
import { memoryRepositories } from '../src/repositories/memory/index.js';

const ctx = { signal: new AbortController().signal };

describe('memory repositories paging', () => {
  it('listByCreator and listOwedBy return one page by id of the user’s own rows', async () => {
    const repos = memoryRepositories();
    const user = { firstName: 'F', lastName: 'L', hashedPassword: 'h' };
    const me = await repos.users.create(ctx, { ...user, username: 'me', mobileNumber: '1' });
    const other = await repos.users.create(ctx, { ...user, username: 'other', mobileNumber: '2' });
    const expenseIds: number[] = [];
    const owedIds: number[] = [];
    for (let i = 0; i < 6; i++) {
      const owed = { ratioInPercentage: '50', amountOwed: String(i), status: 'pending' };
      const expense = await repos.expenses.create(ctx, {
        createdBy: me.id,
        amount: String(i + 1),
        place: `p${i}`,
        payables: [
          { ...owed, userId: other.id },
          { ...owed, userId: me.id },
        ],
      });
      await repos.expenses.create(ctx, { createdBy: other.id, amount: '1', place: 'x', payables: [] });
      expenseIds.push(expense.id);
      owedIds.push(expense.payables[1]!.id);
    }
    const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
    expect(ids(await repos.expenses.listByCreator(ctx, me.id, { limit: 100, after: 0 }))).toEqual(expenseIds);
    expect(ids(await repos.expenses.listByCreator(ctx, me.id, { limit: 2, after: expenseIds[0]! }))).toEqual(
      expenseIds.slice(1, 3),
    );
    expect(ids(await repos.payables.listOwedBy(ctx, me.id, { limit: 100, after: 0 }))).toEqual(owedIds);
    expect(ids(await repos.payables.listOwedBy(ctx, me.id, { limit: 2, after: owedIds[0]! }))).toEqual(
      owedIds.slice(1, 3),
    );
    expect(await repos.payables.listOwedBy(ctx, me.id, { limit: 5, after: owedIds.at(-1)! })).toEqual([]);
  });
});
