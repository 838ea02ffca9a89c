/**
 * Vitest reporter: names the test files that never reported a result — their worker process died while running
 * them ("Worker exited unexpectedly": a native crash, an abort, a kill). Vitest itself only counts them
 * (`Test Files 73 passed (74)`), so without this the file and the test it died in are lost.
 *
 * When `HEADROOM_UNFINISHED_FILES` names a path, it also writes there whether the run failed only because of such
 * deaths (no test failed, every unhandled error is a worker's exit), and which files: scripts/vitest-run.js re-runs
 * exactly those files once.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

/** What the runner script reads: the unfinished files, and whether a re-run of them alone can settle the run. */
export interface UnfinishedFiles {
  /** Paths relative to the working directory of the files whose tests did not all report. */
  readonly files: string[];
  /** True when those files are the only reason the run failed. */
  readonly onlyWorkerDeaths: boolean;
}

const FINISHED = new Set(['passed', 'failed', 'skipped']);

function isWorkerExit(error: SerializedError): boolean {
  const cause = (error as { cause?: { message?: string } }).cause;
  return /Worker exited unexpectedly/.test(`${error.message} ${cause?.message ?? ''}`);
}

/** Prints a line per unfinished file and, with `HEADROOM_UNFINISHED_FILES` set, writes {@link UnfinishedFiles}. */
export default class UnfinishedFilesReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const unfinished = testModules.filter((module) => !FINISHED.has(module.state()));
    for (const module of unfinished) {
      const tests = [...module.children.allTests()];
      const done = tests.filter((test) => FINISHED.has(test.result().state)).length;
      const dying = tests.find((test) => !FINISHED.has(test.result().state));
      process.stderr.write(
        `unfinished test file: ${path.relative(process.cwd(), module.moduleId)} — its worker died with ${done} of ` +
          `${tests.length} tests reported` +
          (dying ? ` (the first unreported: “${dying.fullName}”)` : '') +
          '\n',
      );
    }
    const target = process.env.HEADROOM_UNFINISHED_FILES;
    if (!target) return;
    const failed = testModules.some(
      (module) =>
        module.state() === 'failed' ||
        [...module.children.allTests()].some((test) => test.result().state === 'failed'),
    );
    const result: UnfinishedFiles = {
      files: unfinished.map((module) => path.relative(process.cwd(), module.moduleId)),
      // An interrupted run (Ctrl-C, --bail) leaves files unfinished too, with no worker death to blame.
      onlyWorkerDeaths:
        reason !== 'interrupted' &&
        unfinished.length > 0 &&
        !failed &&
        unhandledErrors.length > 0 &&
        unhandledErrors.every(isWorkerExit),
    };
    writeFileSync(target, JSON.stringify(result));
  }
}
