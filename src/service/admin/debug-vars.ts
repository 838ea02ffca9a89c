/**
 * `/debug/vars`: the runtime at a glance — event-loop delay and utilization, heap, GC counts and pauses, active
 * handles, uptime. The analogue of Go's expvar plus GODEBUG gctrace/schedtrace.
 */
import {
  type EventLoopUtilization,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';

/** The JSON `/debug/vars` returns. Delays and pauses in ms; `utilization` in 0..1 since the previous read. */
export interface DebugVars {
  /** The process id (in cluster mode, tells which worker answered). */
  pid: number;
  /** Process uptime in seconds. */
  uptimeS: number;
  /** Event-loop delay since start (GODEBUG schedtrace's analogue) and utilization since the previous read. */
  eventLoop: { delayMs: { p50: number; p99: number; max: number; mean: number }; utilization: number };
  /** `process.memoryUsage()`: rss, heapTotal, heapUsed, external, arrayBuffers (bytes). */
  memory: NodeJS.MemoryUsage;
  /** GC runs and total pause since start, overall and by kind (gctrace's analogue). */
  gc: { count: number; pauseMs: number; byKind: Record<string, { count: number; pauseMs: number }> };
  /** Active libuv resources (sockets, timers, …), overall and by type. */
  handles: { active: number; byType: Record<string, number> };
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Collects the process's runtime variables; `stop()` releases the observers. */
export class DebugVarsCollector {
  readonly #delay = monitorEventLoopDelay({ resolution: 10 });
  readonly #gc = new Map<string, { count: number; pauseMs: number }>();
  readonly #observer: PerformanceObserver;
  #elu: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.#delay.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
        const totals = this.#gc.get(kind) ?? { count: 0, pauseMs: 0 };
        totals.count++;
        totals.pauseMs += entry.duration;
        this.#gc.set(kind, totals);
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** A snapshot; event-loop delay is since start, utilization since the previous snapshot. */
  read(): DebugVars {
    // The histogram measures timer lateness at a 10 ms resolution: subtract it to report the delay alone.
    const ns = (value: number) => round(Math.max(0, value / 1e6 - 10));
    const elu = performance.eventLoopUtilization(this.#elu);
    this.#elu = performance.eventLoopUtilization();
    const byKind: DebugVars['gc']['byKind'] = {};
    let count = 0;
    let pauseMs = 0;
    for (const [kind, totals] of this.#gc) {
      byKind[kind] = { count: totals.count, pauseMs: round(totals.pauseMs) };
      count += totals.count;
      pauseMs += totals.pauseMs;
    }
    const byType: Record<string, number> = {};
    const resources = process.getActiveResourcesInfo();
    for (const type of resources) byType[type] = (byType[type] ?? 0) + 1;
    const d = this.#delay;
    return {
      pid: process.pid,
      uptimeS: round(process.uptime()),
      eventLoop: {
        delayMs: {
          p50: ns(d.percentile(50)),
          p99: ns(d.percentile(99)),
          max: ns(d.max),
          mean: Number.isNaN(d.mean) ? 0 : ns(d.mean),
        },
        utilization: round(elu.utilization),
      },
      memory: process.memoryUsage(),
      gc: { count, pauseMs: round(pauseMs), byKind },
      handles: { active: resources.length, byType },
    };
  }

  /** Stops observing. */
  stop(): void {
    this.#delay.disable();
    this.#observer.disconnect();
  }
}
