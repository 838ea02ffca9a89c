/**
 * Vitest global setup: builds dist/ once per run, before any test file, unless it is newer than every source —
 * `npm test` has just built it (a full tsc rewrites every output, so the CLI's time is the build's). The CLI tests
 * run dist/cli/main.js, the YAES tests import headroom-kit from dist/, and the package test packs it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');

/** The newest modification time (ms) of the build's inputs: src/ and the tsconfig files. */
function newestSourceMs(): number {
  const inputs = [
    ...readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((f) =>
      path.join('src', f),
    ),
    'tsconfig.json',
    'tsconfig.build.json',
  ];
  return Math.max(...inputs.map((f) => statSync(path.join(ROOT, f)).mtimeMs));
}

/** Builds dist/ if it is missing or older than a source (type errors do not stop tsc emitting). */
export default async function setup(): Promise<void> {
  if (existsSync(CLI) && statSync(CLI).mtimeMs > newestSourceMs()) return;
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(() => {});
  if (!existsSync(CLI)) throw new Error('npm run build did not produce dist/cli/main.js');
}
