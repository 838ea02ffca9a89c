/** Turns PostgreSQL constraint errors (same codes on PGlite) into 422s with a message a client can act on. */
import { AppError, invalid } from '../../errors.js';

const CONSTRAINT_MESSAGES: Record<string, string> = {
  users_username_key: 'username is already taken',
  users_mobile_number_key: 'mobile number is already registered',
};

/** SQLSTATE classes that mean "your data", not "our bug". */
const CLIENT_DATA = new Set([
  '23505',
  '23503',
  '23514',
  '23502',
  '22003',
  '22P02',
  '22001',
  '22021',
  '22P05',
]);

/**
 * Rethrows `error` as a 422 when it is a constraint/data error, unchanged otherwise.
 * @example await query().catch(rethrowDataError)
 */
export function rethrowDataError(error: unknown): never {
  if (error instanceof AppError) throw error;
  const pgError = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (typeof pgError.code === 'string' && CLIENT_DATA.has(pgError.code)) {
    const message = typeof pgError.message === 'string' ? pgError.message : '';
    const constraint =
      typeof pgError.constraint === 'string'
        ? pgError.constraint
        : Object.keys(CONSTRAINT_MESSAGES).find((name) => message.includes(name));
    throw invalid((constraint && CONSTRAINT_MESSAGES[constraint]) ?? invalidDataMessage(pgError.code));
  }
  throw error;
}

function invalidDataMessage(code: string): string {
  if (code === '23503') return 'a referenced record does not exist';
  if (code === '22003') return 'a number is out of range';
  return 'invalid data';
}
