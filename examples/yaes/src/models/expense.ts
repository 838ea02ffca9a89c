import type { NewPayable, Payable } from './payable.js';

/** An expense with the payables that split it. `amount` is an exact decimal string. */
export interface Expense {
  id: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  createdBy: number;
  amount: string;
  place: string;
  payables: Payable[];
}

/** What creating an expense stores (all or nothing). */
export interface NewExpense {
  createdBy: number;
  amount: string;
  place: string;
  payables: NewPayable[];
}
