/**
 * bcrypt password hashing (bcryptjs, pure JS). The cost dominates login capacity: each step doubles the
 * work — cost 10 is ~60 ms of CPU per login, cost 4 ~1 ms. Production default 10; tests and the demo use 4.
 */
import bcrypt from 'bcryptjs';

/** Hashes and checks passwords at one cost. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password; with `hash` undefined (unknown user) it spends the same time, then false. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

/**
 * Creates a PasswordHasher at `cost` (4–31).
 * @example await createPasswordHasher(4).hash('secret')
 */
export function createPasswordHasher(cost: number): PasswordHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => bcrypt.hash(password, cost),
    async verify(password, hash) {
      if (hash !== undefined) return bcrypt.compare(password, hash);
      dummy ??= bcrypt.hash('timing-equaliser', cost);
      await bcrypt.compare(password, await dummy);
      return false;
    },
  };
}
