/**
 * The environment fingerprint stored with every run, and the git commit it measured. Timings are only comparable
 * between equal fingerprints (same Node, flags, CPU model, OS and architecture); bytes/op travel further.
 */
import { execFileSync } from 'node:child_process';
import { arch, cpus, platform, release } from 'node:os';
import { CHILD_FLAGS } from './child-process.js';
import type { EnvironmentFingerprint } from './types.js';

/** The fingerprint of benchmark processes started from this one. */
export function fingerprint(): EnvironmentFingerprint {
  const fromEnv = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((flag) => flag.startsWith('--'));
  const list = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    v8Flags: [...CHILD_FLAGS, ...fromEnv],
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    os: `${platform()} ${arch()} ${release()}`,
  };
}

/** Differences that make timings incomparable (the kernel release is allowed to differ). */
export function fingerprintDifferences(a: EnvironmentFingerprint, b: EnvironmentFingerprint): string[] {
  const differences: string[] = [];
  if (a.node !== b.node) differences.push(`node ${a.node} vs ${b.node}`);
  if (a.v8Flags.join(' ') !== b.v8Flags.join(' ')) differences.push(`flags "${a.v8Flags}" vs "${b.v8Flags}"`);
  if (a.cpu !== b.cpu) differences.push(`cpu "${a.cpu}" vs "${b.cpu}"`);
  if (a.cpus !== b.cpus) differences.push(`${a.cpus} vs ${b.cpus} CPUs`);
  const [aOs, aArch] = a.os.split(' ');
  const [bOs, bArch] = b.os.split(' ');
  if (aOs !== bOs || aArch !== bArch) differences.push(`os "${a.os}" vs "${b.os}"`);
  return differences;
}

/** The commit checked out in `cwd`, or null outside a git repository. */
export function gitInfo(cwd: string): { sha: string; dirty: boolean } | null {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return { sha, dirty: status.trim() !== '' };
  } catch {
    return null;
  }
}
