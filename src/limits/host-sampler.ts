/**
 * Watches the whole machine during one step, when the target runs on it (Linux `/proc`): CPU busy and steal
 * across all cores from `/proc/stat` at the step's start and end, the run queue (`procs_running`) every
 * `intervalMs`, and the CPU this process (the load generator, all its threads) used. The generator's own CPU is
 * part of the machine's: a saturated machine slows the target whoever the other users are.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { HostSignals } from './types.js';

/** The whole-machine CPU counters of `/proc/stat` (clock ticks), and the runnable threads right now. */
export interface ProcStat {
  cores: number;
  /** Ticks in user, nice, system, irq, softirq and steal, i.e. not idle or waiting for I/O. */
  busy: number;
  /** Every tick: busy + idle + iowait. */
  total: number;
  steal: number;
  procsRunning: number;
}

/** Parses `/proc/stat`'s aggregate `cpu` line, its `cpuN` lines (the core count) and `procs_running`. */
export function parseProcStat(text: string): ProcStat | null {
  let aggregate: number[] | null = null;
  let cores = 0;
  let procsRunning = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) aggregate = line.trim().split(/\s+/).slice(1).map(Number);
    else if (/^cpu\d/.test(line)) cores++;
    else if (line.startsWith('procs_running ')) procsRunning = Number(line.split(/\s+/)[1]);
  }
  if (!aggregate || aggregate.length < 4 || aggregate.some((n) => !Number.isFinite(n))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already counted in user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = aggregate;
  const busy = user + nice + system + irq + softirq + steal;
  return { cores: Math.max(cores, 1), busy, total: busy + idle + iowait, steal, procsRunning };
}

/** Reads `/proc/stat`; null where there is none (not Linux) or it does not parse. */
export function readProcStat(path = '/proc/stat'): ProcStat | null {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** A running host sampler; `stop()` ends it and returns the step's figures. */
export interface HostSampler {
  stop(): HostSignals | null;
}

/** Starts sampling the machine; null when `/proc/stat` cannot be read. */
export function startHostSampler(intervalMs = 250, path = '/proc/stat'): HostSampler | null {
  const first = readProcStat(path);
  if (!first) return null;
  const cpuStart = process.cpuUsage();
  const startedMs = performance.now();
  // The reader itself is running when it reads: it is not part of the queue it measures.
  const queue: number[] = [];
  const timer = setInterval(() => {
    const now = readProcStat(path);
    if (now) queue.push(Math.max(0, now.procsRunning - 1));
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const last = readProcStat(path);
      if (!last) return null;
      const wallS = Math.max((performance.now() - startedMs) / 1000, 1e-3);
      const cpu = process.cpuUsage(cpuStart);
      queue.push(Math.max(0, last.procsRunning - 1));
      return summariseHost(first, last, queue, (cpu.user + cpu.system) / 1e6 / wallS);
    },
  };
}

/** The step's host figures from the `/proc/stat` readings at its ends and the run-queue samples in between. */
export function summariseHost(
  first: ProcStat,
  last: ProcStat,
  runQueue: readonly number[],
  generatorCores: number,
): HostSignals | null {
  const total = last.total - first.total;
  if (total <= 0) return null;
  const busyShare = Math.min(1, Math.max(0, (last.busy - first.busy) / total));
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    cores: last.cores,
    busyShare: round(busyShare),
    busyCores: round(busyShare * last.cores),
    stealShare: round(Math.max(0, (last.steal - first.steal) / total)),
    runQueueAvg: round(runQueue.reduce((a, b) => a + b, 0) / Math.max(runQueue.length, 1)),
    runQueueMax: Math.max(0, ...runQueue),
    generatorCores: round(generatorCores),
  };
}

/**
 * Whether `url`'s host is this machine: a loopback name or address, or one of this machine's interface
 * addresses. Only then do the machine's figures say anything about the target.
 */
export function isLocalTarget(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host.startsWith('127.'))
    return true;
  if (host === '0.0.0.0' || host === '::') return true;
  return Object.values(networkInterfaces()).some((addresses) =>
    addresses?.some((a) => a.address.toLowerCase() === host),
  );
}
