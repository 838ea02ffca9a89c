/** A uniquely named PostgreSQL database on 127.0.0.1:5432 for one YAES test file, dropped afterwards. */
import { createTestDatabase as create, type TestDatabase } from '../../../../test/support/test-database.js';

export type { TestDatabase };

/** Creates `yaes_test_<pid>_<random>`; `drop()` removes it even with connections left open. */
export function createTestDatabase(): Promise<TestDatabase> {
  return create('yaes_test');
}
