/**
 * How many processes `WORKERS=auto` means: the CPUs the cgroup quota allows (`/sys/fs/cgroup/cpu.max`, like
 * uber-go/automaxprocs), else the CPUs the OS reports.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPUs allowed by a cgroup v2 `cpu.max` text (`"<quota> <period>"` or `"max <period>"`), rounded down, at
 * least 1; undefined when there is no quota.
 * @example cpuQuota('150000 100000') // 1
 */
export function cpuQuota(cpuMax: string): number | undefined {
  const [quota, period] = cpuMax.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? Math.max(1, Math.floor(cpus)) : undefined;
}

/** Resolves `WORKERS`: a number as is; `auto` from the cgroup quota, capped by (and else) the CPU count. */
export function resolveWorkers(workers: number | 'auto', cpuMaxPath = '/sys/fs/cgroup/cpu.max'): number {
  if (workers !== 'auto') return workers;
  const cpus = availableParallelism();
  try {
    return Math.min(cpus, cpuQuota(readFileSync(cpuMaxPath, 'utf8')) ?? cpus);
  } catch {
    return cpus;
  }
}
