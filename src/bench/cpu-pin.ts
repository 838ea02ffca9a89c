/**
 * Pinning benchmark processes to one CPU. Left to the scheduler, each process settles on a core of its own, and
 * cores are not equal (a busy hyper-thread sibling, another tenant on the host): on this project's 2-core VM, eight
 * processes of the same benchmark spread by up to 10% unpinned when idle, and by 30–40% during a CI run, but by ≤ 1%
 * pinned to one core. Samples are taken one process at a time, so sharing a core costs the measurement nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The highest CPU number in a Linux cpu list such as `0-3,6`, or null for an empty or unreadable list. */
export function highestCpu(list: string): number | null {
  const numbers = list
    .split(',')
    .map((range) => range.split('-').at(-1)!.trim())
    .filter((last) => /^\d+$/.test(last))
    .map(Number);
  return numbers.length > 0 ? Math.max(...numbers) : null;
}

function allowedCpuList(): string | null {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? null;
  } catch {
    return null;
  }
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let chosen: number | null | undefined;

/**
 * The CPU benchmark processes are pinned to: the last one this process may run on (the first tends to take the
 * machine's interrupts and housekeeping). Null where pinning is unavailable: not Linux, or no `taskset` (util-linux).
 */
export function benchCpu(): number | null {
  if (chosen === undefined) {
    const list = process.platform === 'linux' ? allowedCpuList() : null;
    chosen = list !== null && hasTaskset() ? highestCpu(list) : null;
  }
  return chosen;
}

/** The program and leading arguments that start a command pinned to `cpu`. */
export function pinnedLauncher(cpu: number): [string, string[]] {
  return ['taskset', ['--cpu-list', String(cpu)]];
}
