/**
 * Temporary directories that a test file removes when it ends. Importing this module registers, at the top level of
 * the importing test file, an `afterAll` that removes every directory `tempDir` created. Vitest evaluates each test
 * file's modules afresh (`isolate`, on by default), so each file gets its own hook and its own list, and the hook
 * runs once, after the file's last test. After-hooks run in reverse order of registration (`sequence.hooks`
 * 'stack', the default): this one, registered when the file's imports are evaluated, runs after the file's own
 * `afterAll` hooks, so a server or child process a file stops there is gone before its directory is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];

afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Creates `<os tmpdir>/headroom-<name>-XXXXXX` and returns its path; it is removed when the test file ends. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `headroom-${name}-`));
  created.push(dir);
  return dir;
}
