/** Runs the `headroom` CLI from source (tsx, no build needed) in its own process, as the tests' servers need. */
import { spawn } from 'node:child_process';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** What a CLI run left: its exit code, its output, and how long it took (ms). */
export interface SourceCliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `headroom ...args` from source and resolves when the process has closed. */
export function runSourceCli(args: string[]): Promise<SourceCliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}
