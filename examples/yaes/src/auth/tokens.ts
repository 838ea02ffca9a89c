/**
 * HS256 JSON Web Tokens with jose, carrying the original's claims (`userID`, `user`) plus an `exp` the
 * original lacked. Only HS256 is accepted, so `alg: none` or RS/HS confusion tokens are rejected. Claims are
 * checked here, at the edge, so a correctly signed but odd token is a 401 and never reaches the database:
 * `userID` must be a users.id (an integer in 1..2147483647, PostgreSQL's `integer`), and an `iat` more than
 * `CLOCK_SKEW_S` in the future is refused (a token cannot have been issued later than now).
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { unauthorized } from '../errors.js';

/** The largest PostgreSQL `integer`, hence the largest users.id. */
const MAX_USER_ID = 2_147_483_647;
/** How far in the future an `iat` may lie: clocks of the hosts issuing and checking tokens may differ. */
export const CLOCK_SKEW_S = 60;

/** Issues and verifies tokens with one key. */
export interface TokenIssuer {
  /** A token for `userID` carrying `user` (already in wire form), expiring after the configured TTL. */
  issue(userID: number, user: unknown): Promise<string>;
  /** The token's userID; throws a 401 AppError when invalid or expired. */
  verify(token: string): Promise<number>;
}

/**
 * Creates a TokenIssuer.
 * @example const tokens = createTokenIssuer(key, 86400); const id = await tokens.verify(await tokens.issue(1, u));
 */
export function createTokenIssuer(key: Uint8Array, ttlS: number): TokenIssuer {
  return {
    issue: (userID, user) =>
      new SignJWT({ userID, user })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(`${ttlS}s`)
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] });
        const id = payload.userID;
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_USER_ID)
          throw unauthorized('invalid token');
        if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + CLOCK_SKEW_S)
          throw unauthorized('invalid token');
        return id;
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw unauthorized('token expired');
        if (error instanceof errors.JOSEError) throw unauthorized('invalid token');
        throw error;
      }
    },
  };
}
