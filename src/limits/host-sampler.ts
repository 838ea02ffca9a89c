/**
 * Watches the whole machine during one step, when the target runs on it (Linux `/proc`): CPU busy and steal
 * across all cores from `/proc/stat` at the step's start and end, the run queue (`procs_running`) every
 * `intervalMs`, the CPU this process (the load generator, all its threads) used, and which other processes used
 * the rest (`/proc/<pid>/stat`, by name; the target — the process listening on its port — left out). The
 * generator's own CPU is part of the machine's: a saturated machine slows the target whoever the other users are.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { HostSignals, ProcessGroupCpu } from './types.js';

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

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on Linux). */
export const TICKS_PER_S = 100;

/** User + system CPU ticks of a process (all its threads), or null when it is gone or not readable. */
export function processCpuTicks(pid: number): number | null {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.ticks ?? null;
  } catch {
    return null;
  }
}

/** A process's name (`comm`) and user + system CPU ticks from its `/proc/<pid>/stat` line. */
export function parseProcessStat(text: string): { name: string; ticks: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = text.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? { name: text.slice(open + 1, close), ticks } : null;
}

/**
 * A process's name: its executable's file name when readable (`node`, `postgres`), else its `comm` — which a
 * process may change (Node 24 names its main thread `MainThread`), and which kernel threads only have.
 */
function processName(procRoot: string, pid: string, comm: string): string {
  try {
    const exe = readlinkSync(`${procRoot}/${pid}/exe`);
    return exe.slice(exe.lastIndexOf('/') + 1).replace(/ \(deleted\)$/, '') || comm;
  } catch {
    return comm;
  }
}

/** Every readable process's name and CPU ticks, by pid. */
export function readProcesses(procRoot = '/proc'): Map<number, { name: string; ticks: number }> {
  const processes = new Map<number, { name: string; ticks: number }>();
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return processes;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcessStat(readFileSync(`${procRoot}/${entry}/stat`, 'utf8'));
      if (stat)
        processes.set(Number(entry), { name: processName(procRoot, entry, stat.name), ticks: stat.ticks });
    } catch {
      // Gone since the listing, or not ours to read.
    }
  }
  return processes;
}

/**
 * The CPU each process name used between two readings, in cores, largest first (at most `limit`, each at least
 * 0.01), leaving out `exclude` (the generator, the target). A process started since the first reading counts
 * all its ticks; one that ended is not seen; a pid is taken to be the same process at both readings.
 */
export function processGroupsCpu(
  before: ReadonlyMap<number, { name: string; ticks: number }>,
  after: ReadonlyMap<number, { name: string; ticks: number }>,
  wallS: number,
  exclude: ReadonlySet<number>,
  limit = 3,
): ProcessGroupCpu[] {
  const groups = new Map<string, { processes: number; ticks: number }>();
  for (const [pid, now] of after) {
    if (exclude.has(pid)) continue;
    const was = before.get(pid);
    // A process may rename itself during the step (Node 24's main thread becomes `MainThread`): same pid, same
    // clock; it is grouped under its name at the end.
    const ticks = now.ticks - (was?.ticks ?? 0);
    if (ticks <= 0) continue;
    const group = groups.get(now.name) ?? { processes: 0, ticks: 0 };
    group.processes++;
    group.ticks += ticks;
    groups.set(now.name, group);
  }
  return [...groups]
    .map(([name, g]) => ({
      name,
      processes: g.processes,
      cores: Math.round((g.ticks / TICKS_PER_S / Math.max(wallS, 1e-3)) * 100) / 100,
    }))
    .filter((g) => g.cores >= 0.01)
    .sort((a, b) => b.cores - a.cores)
    .slice(0, limit);
}

/**
 * The pid of the process listening on TCP `port` on this machine (`/proc/net/tcp{,6}` → the socket's inode → the
 * process holding it), or null when none of ours is.
 */
export function pidListeningOn(port: number, procRoot = '/proc'): number | null {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${procRoot}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st … inode: 0A is LISTEN.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`${procRoot}/${entry}/fd/${fd}`);
        if (link.startsWith('socket:[') && inodes.has(link.slice(8, -1))) return Number(entry);
      } catch {
        // Closed since the listing.
      }
    }
  }
  return null;
}

/** A running host sampler; `stop()` ends it and returns the step's figures. */
export interface HostSampler {
  stop(): HostSignals | null;
}

/** The last pid found listening on each port: looked up again only when that process is gone. */
const listeners = new Map<number, number>();

function targetPid(port: number): number | null {
  const known = listeners.get(port);
  if (known !== undefined && processCpuTicks(known) !== null) return known;
  const pid = pidListeningOn(port);
  if (pid === null) listeners.delete(port);
  else listeners.set(port, pid);
  return pid;
}

/** How the machine is sampled. */
export interface HostSamplerOptions {
  /** Run-queue sampling interval; default 250 ms. */
  intervalMs?: number;
  /** Default `/proc/stat`. */
  path?: string;
  /** The target's URL: the process listening on its port is left out of the other processes' CPU. */
  targetUrl?: string;
}

/** Starts sampling the machine; null when `/proc/stat` cannot be read. */
export function startHostSampler(options: HostSamplerOptions = {}): HostSampler | null {
  const { intervalMs = 250, path = '/proc/stat' } = options;
  const first = readProcStat(path);
  if (!first) return null;
  const exclude = new Set([process.pid]);
  const targetPort = options.targetUrl ? urlPort(options.targetUrl) : null;
  const target = targetPort === null ? null : targetPid(targetPort);
  if (target !== null) exclude.add(target);
  const processesAtStart = readProcesses();
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
      const others = processGroupsCpu(processesAtStart, readProcesses(), wallS, exclude);
      return summariseHost(first, last, queue, (cpu.user + cpu.system) / 1e6 / wallS, others);
    },
  };
}

/** The step's host figures from the `/proc/stat` readings at its ends and the run-queue samples in between. */
export function summariseHost(
  first: ProcStat,
  last: ProcStat,
  runQueue: readonly number[],
  generatorCores: number,
  others: ProcessGroupCpu[] = [],
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
    others,
  };
}

/** The TCP port `url` connects to (its scheme's default when none is written), or null. */
export function urlPort(url: string): number | null {
  try {
    const parsed = new URL(url);
    if (parsed.port) return Number(parsed.port);
    return ({ 'http:': 80, 'https:': 443, 'grpcs:': 443 } as Record<string, number>)[parsed.protocol] ?? null;
  } catch {
    return null;
  }
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
