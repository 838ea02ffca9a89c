/** A share of an expense that one user owes. Money fields are exact decimal strings (SQL numeric). */
export interface Payable {
  id: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  userId: number;
  expenseId: number;
  ratioInPercentage: string;
  amountOwed: string;
  status: string;
}

/** A payable as given when creating an expense. */
export interface NewPayable {
  userId: number;
  ratioInPercentage: string;
  amountOwed: string;
  status: string;
}

/** The fields a PUT may change; absent fields keep their value (the original zeroed them). */
export type PayablePatch = Partial<NewPayable>;
