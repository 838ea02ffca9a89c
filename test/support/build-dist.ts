/**
 * Vitest global setup: makes dist/ current once per run, before any test file — the CLI tests run
 * dist/cli/main.js, the YAES tests import headroom-kit from dist/, and the package test packs it. It runs
 * `npm run build`'s script with `--if-stale`: tsc is skipped when dist/ is stamped with the hashes of the current
 * sources and of its own files (so right after `npm test`'s build it costs a hash, not a build).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Builds dist/ unless it is stamped current; a failed build fails the run with tsc's output. */
export default async function setup(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: ROOT }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the build of dist/ failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    },
  );
}
