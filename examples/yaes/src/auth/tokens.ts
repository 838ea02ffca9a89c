/**
 * HS256 JSON Web Tokens with jose, carrying the original's claims (`userID`, `user`) plus an `exp` the
 * original lacked. Only HS256 is accepted, so `alg: none` or RS/HS confusion tokens are rejected.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { unauthorized } from '../errors.js';

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
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
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
