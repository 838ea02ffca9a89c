/**
 * The wire form of YAES entities: PascalCase keys as the Go original emits them, RFC 3339 timestamps, money
 * as JSON numbers (the exact decimal from SQL, parsed only at the edge — cents survive for any sane amount).
 */
import type { Expense, Payable, User } from '../models/index.js';

/** A User on the wire (never the password hash). */
export function userJson(user: User) {
  return {
    ID: user.id,
    CreatedAt: user.createdAt.toISOString(),
    UpdatedAt: user.updatedAt.toISOString(),
    DeletedAt: user.deletedAt?.toISOString() ?? null,
    Username: user.username,
    FirstName: user.firstName,
    LastName: user.lastName,
    MobileNumber: user.mobileNumber,
  };
}

/** A Payable on the wire. */
export function payableJson(payable: Payable) {
  return {
    ID: payable.id,
    CreatedAt: payable.createdAt.toISOString(),
    UpdatedAt: payable.updatedAt.toISOString(),
    DeletedAt: payable.deletedAt?.toISOString() ?? null,
    UserID: payable.userId,
    ExpenseID: payable.expenseId,
    RatioInPercentage: Number(payable.ratioInPercentage),
    AmountOwed: Number(payable.amountOwed),
    Status: payable.status,
  };
}

/** An Expense on the wire, payables included (`[]` when none). */
export function expenseJson(expense: Expense) {
  return {
    ID: expense.id,
    CreatedAt: expense.createdAt.toISOString(),
    UpdatedAt: expense.updatedAt.toISOString(),
    DeletedAt: expense.deletedAt?.toISOString() ?? null,
    CreatedBy: expense.createdBy,
    Amount: Number(expense.amount),
    Place: expense.place,
    Payables: expense.payables.map(payableJson),
  };
}
