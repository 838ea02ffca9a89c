/** The YAES domain types. */
export type { Expense, NewExpense } from './expense.js';
export type { NewPayable, Payable, PayablePatch } from './payable.js';
export type { NewUser, User } from './user.js';
