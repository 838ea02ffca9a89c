/**
 * A temporary `git worktree` of a ref, outside the working tree, removed afterwards. The caller's checkout, index
 * and files are never touched (git only records the worktree in `.git/worktrees`, and `remove` deletes that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { git } from './git.js';
import { linkNodeModules } from './link-node-modules.js';

/** A checked-out ref. */
export interface Worktree {
  /** Worktree root. */
  dir: string;
  /** The commit checked out. */
  sha: string;
  /** Removes the worktree and its directory. */
  remove(): Promise<void>;
}

/** The repository root containing `cwd`. @throws UsageError outside a git repository. */
export async function repoRoot(cwd: string): Promise<string> {
  try {
    return await git(cwd, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new UsageError(`bench ab needs a git repository (${cwd} is not in one)`);
  }
}

/** Checks out `ref` (detached) in a temporary worktree of the repository at `root`, with linked node_modules. */
export async function createWorktree(root: string, ref: string): Promise<Worktree> {
  let sha: string;
  try {
    sha = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`unknown git ref: ${ref} (for origin/main in CI, fetch it first: fetch-depth: 0)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'headroom-ab-'));
  try {
    await git(root, ['worktree', 'add', '--detach', '--quiet', dir, sha]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`git worktree add failed: ${(error as Error).message}`);
  }
  linkNodeModules(root, dir);
  return {
    dir,
    sha,
    async remove() {
      await git(root, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      await git(root, ['worktree', 'prune']).catch(() => undefined);
    },
  };
}
