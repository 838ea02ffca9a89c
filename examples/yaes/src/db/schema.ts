/** The YAES tables as Kysely sees them (snake_case in SQL; the HTTP layer speaks PascalCase). */
import type { ColumnType, Generated, Selectable } from 'kysely';

/** Columns every table has: serial id, timestamps, soft delete. */
interface Row {
  id: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  deleted_at: ColumnType<Date | null, never, Date | null>;
}

/** `numeric` columns: exact decimal strings from the driver, written from strings or numbers. */
export type Money = ColumnType<string, string | number, string | number>;

/** users table. */
export interface UsersTable extends Row {
  username: string;
  hashed_password: string;
  first_name: string;
  last_name: string;
  mobile_number: string;
}

/** expenses table. */
export interface ExpensesTable extends Row {
  created_by: number;
  amount: Money;
  place: string;
}

/** payables table. */
export interface PayablesTable extends Row {
  user_id: number;
  expense_id: number;
  ratio_in_percentage: Money;
  amount_owed: Money;
  status: string;
}

/** The database as Kysely types it. */
export interface Database {
  users: UsersTable;
  expenses: ExpensesTable;
  payables: PayablesTable;
}

/** A users row. */
export type UserRow = Selectable<UsersTable>;
/** An expenses row. */
export type ExpenseRow = Selectable<ExpensesTable>;
/** A payables row. */
export type PayableRow = Selectable<PayablesTable>;
