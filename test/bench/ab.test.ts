/**
 * `headroom bench ab`: a throwaway git repository whose HEAD made a benchmark 2× slower; ab checks out the base in a
 * temporary worktree (node_modules linked), runs both sides in lockstep and fails with exit 1 — then cleans up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { headroom, root } from './helpers.js';

function benchFile(size: number): string {
  return [
    `import { bench } from '${root}src/bench/index.ts';`,
    `const size = ${size};`,
    "bench('loop', () => { let x = 0; for (let i = 0; i < size; i++) x = (x + i * 31) | 0; return x; });",
    "bench('steady', () => { let x = 0; for (let i = 0; i < 3000; i++) x = (x + i * 7) | 0; return x; });",
    '',
  ].join('\n');
}

describe('bench ab', () => {
  it('flags a 2× slowdown between the base ref and the working tree, and removes its worktree', () => {
    const repo = tempDir('ab-repo');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
    git('init', '-q');
    writeFileSync(join(repo, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
    mkdirSync(join(repo, 'bench'));
    writeFileSync(join(repo, 'bench/loop.bench.ts'), benchFile(2000));
    git('add', '.');
    git('commit', '-qm', 'fast');
    writeFileSync(join(repo, 'bench/loop.bench.ts'), benchFile(4000));
    git('commit', '-qam', 'slow');
    symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'));

    // 20 ms batches: calibrating to 5 ms left the loop below V8's top tier (Turbofan; half its speed here) for
    // its first 10–25 ms on Node 24, and a base process still there through all 5 of its samples in one round
    // (1,700 ns/op against 830) ran as slow as the head: the sides overlapped and ab exited 0 (1 run in 3).
    const args = [
      'bench',
      'ab',
      '--base',
      'HEAD~1',
      '--no-build',
      '--time',
      '20ms',
      '--count',
      '10',
      '--rounds',
      '2',
    ];
    const run = headroom([...args, '--clock', 'cpu', '-o', join(repo, 'ab.json')], { cwd: repo });
    expect(run.code, run.stderr + run.stdout).toBe(1);
    expect(run.stdout).toMatch(/^loop\s+.*REGRESSION/m);
    expect(run.stdout).not.toMatch(/^steady\s+.*REGRESSION/m);
    expect(run.stdout).toMatch(/^base HEAD~1 \([0-9a-f]{7}\) vs head/m);
    const worktrees = git('worktree', 'list');
    expect(worktrees.trim().split('\n')).toHaveLength(1);
    const dirMatch = /checked out in (\S+)/.exec(run.stderr);
    expect(dirMatch).not.toBeNull();
    expect(existsSync(dirMatch![1]!)).toBe(false);

    const unknown = headroom(['bench', 'ab', '--base', 'no-such-ref', '--no-build'], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^headroom: unknown git ref: no-such-ref/m);
  });
});
