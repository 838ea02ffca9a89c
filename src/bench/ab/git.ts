/** Small promise wrappers over `git` and shell commands for `bench ab`. */
import { exec, execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const execAsync = promisify(exec);

/** Runs `git args…` in `cwd`; resolves to trimmed stdout. Rejects with git's stderr as the message. */
export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, encoding: 'utf8' });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(stderr || (error as Error).message);
  }
}

/** Runs a shell command in `cwd`; rejects with the last lines of its output. */
export async function shell(cwd: string, command: string): Promise<void> {
  try {
    await execAsync(command, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-3).join(' | ');
    throw new Error(tail || (error as Error).message);
  }
}
