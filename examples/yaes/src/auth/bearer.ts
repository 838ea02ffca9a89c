/** Reads `Authorization: Bearer <token>` with the original's two error messages. */
import { unauthorized } from '../errors.js';

/**
 * The token of an Authorization header value.
 * @throws 401 `Required authorization token not found` when absent, or
 *   `Authorization header format must be Bearer {token}` when malformed.
 * @example bearerToken('Bearer abc') // 'abc'
 */
export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized('Required authorization token not found');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('Authorization header format must be Bearer {token}');
  return match[1];
}
