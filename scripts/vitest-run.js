#!/usr/bin/env node
/**
 * `npm test`'s last step: `vitest run` (arguments passed through), and when the run failed only because a test
 * worker process died while running some files (Vitest: "Worker exited unexpectedly"; no test failed, no other
 * error), those files — and only those — are run once more, and that run decides. Seen once in CI on Node 24 (a
 * file's three tests never reported, the other 637 passed; it passes on its own): one such death must not hide the
 * whole run's result, and the files it hit still have to pass. Anything else (a failing test, a second death, any other error) fails as before. The death is
 * printed by test/support/unfinished-files-reporter.ts with the file and the test it died in. Plain JavaScript: it
 * runs before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const vitest = path.resolve(import.meta.dirname, '../node_modules/vitest/vitest.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'headroom-vitest-'));
const report = path.join(scratch, 'unfinished.json');

/** Runs vitest with `args`; its exit status and what the reporter wrote (null when it wrote nothing). */
function run(args) {
  rmSync(report, { force: true });
  const child = spawnSync(process.execPath, [vitest, 'run', ...args], {
    stdio: 'inherit',
    env: { ...process.env, HEADROOM_UNFINISHED_FILES: report },
  });
  let unfinished = null;
  try {
    unfinished = JSON.parse(readFileSync(report, 'utf8'));
  } catch {}
  return { status: child.status ?? 1, unfinished };
}

let { status, unfinished } = run(process.argv.slice(2));
if (status !== 0 && unfinished?.onlyWorkerDeaths) {
  console.error(
    `\nvitest-run: every test that reported passed, but a worker died running ${unfinished.files.join(', ')}; ` +
      'running only those once more, and that run decides\n',
  );
  ({ status } = run(unfinished.files));
}
rmSync(scratch, { recursive: true, force: true });
process.exit(status);
