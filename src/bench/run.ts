/**
 * The `headroom bench` engine: plan, then run each benchmark in a fresh process (plus a few heap-only ones), and
 * return a typed report. It never prints; progress goes to the `onProgress` callback.
 */
import { fingerprint, gitInfo } from './environment.js';
import type { MeasureSettings } from './measure.js';
import { type PlannedBench, planBenchmarks, type Selection } from './plan.js';
import { measureHeapInChildren, measureInChild, pinnedCpu } from './sampling.js';
import { summarise } from './summarise.js';
import type { BenchmarkFailure, BenchmarkResult, BenchReport } from './types.js';

/** A progress event: a benchmark starts, finishes, or fails. */
export type BenchProgress =
  | { kind: 'start'; index: number; total: number; bench: PlannedBench; label?: string }
  | { kind: 'done'; index: number; total: number; result: BenchmarkResult; label?: string }
  | { kind: 'failed'; index: number; total: number; failure: BenchmarkFailure; label?: string };

/** Options of a run: what to select and how long to measure. */
export interface RunOptions extends Selection, MeasureSettings {
  onProgress?: (event: BenchProgress) => void;
  /** Stops the run (Ctrl-C): no benchmark starts after it, and the one it cut short is left out of the report. */
  signal?: AbortSignal;
  /** Processes measuring each benchmark's B/op, the timed one included (default HEAP_PROCESSES; 1: the timed one). */
  heapProcesses?: number;
}

/**
 * Processes whose heap B/op a run records per benchmark: the timed one and HEAP_PROCESSES − 1 heap-only ones, so
 * `compare` sees how much B/op moves between processes of the same code (`bench ab` has one per round already).
 */
export const HEAP_PROCESSES = 5;

/** An empty report for `cwd`, stamped now. */
export function newReport(cwd: string, settings: MeasureSettings): BenchReport {
  return {
    schema: 'headroom.bench/v1',
    createdAt: new Date().toISOString(),
    git: gitInfo(cwd),
    environment: fingerprint(),
    settings: {
      timeMs: settings.timeMs,
      count: settings.count,
      clock: settings.clock ?? 'wall',
      pinnedCpu: pinnedCpu(settings),
    },
    benchmarks: [],
    failures: [],
  };
}

/** Runs the selected benchmarks one after another, each in its own process. @throws UsageError (see planBenchmarks). */
export async function runBenchmarks(options: RunOptions): Promise<BenchReport> {
  const planned = await planBenchmarks(options);
  const settings = { timeMs: options.timeMs, count: options.count, clock: options.clock, pin: options.pin };
  const report = newReport(options.cwd, settings);
  for (const [index, bench] of planned.entries()) {
    if (options.signal?.aborted) break;
    const total = planned.length;
    options.onProgress?.({ kind: 'start', index, total, bench });
    const side = { cwd: options.cwd, env: options.env };
    const outcome = await measureInChild(bench, settings, side);
    if (options.signal?.aborted) break;
    if (outcome.ok) {
      const { measurement } = outcome;
      const n = measurement.iterations[0] ?? 1;
      const extra = (options.heapProcesses ?? HEAP_PROCESSES) - 1;
      const heapOnly = extra > 0 ? await measureHeapInChildren(bench, settings, side, n, extra) : [];
      if (options.signal?.aborted) break;
      const result = summarise(bench, [measurement, ...heapOnly]);
      report.benchmarks.push(result);
      options.onProgress?.({ kind: 'done', index, total, result });
    } else {
      const failure = { name: bench.name, file: bench.file, error: outcome.error };
      report.failures.push(failure);
      options.onProgress?.({ kind: 'failed', index, total, failure });
    }
  }
  return report;
}
