/** Maps snake_case rows to the domain types. */
import type { ExpenseRow, PayableRow, UserRow } from '../../db/schema.js';
import type { Expense, Payable, User } from '../../models/index.js';

/** users row → User (drops the password hash). */
export function toUser(row: Omit<UserRow, 'hashed_password'>): User {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    username: row.username,
    firstName: row.first_name,
    lastName: row.last_name,
    mobileNumber: row.mobile_number,
  };
}

/** payables row → Payable. */
export function toPayable(row: PayableRow): Payable {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    userId: row.user_id,
    expenseId: row.expense_id,
    ratioInPercentage: row.ratio_in_percentage,
    amountOwed: row.amount_owed,
    status: row.status,
  };
}

/** expenses row + its payables → Expense. */
export function toExpense(row: ExpenseRow, payables: Payable[]): Expense {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    createdBy: row.created_by,
    amount: row.amount,
    place: row.place,
    payables,
  };
}
