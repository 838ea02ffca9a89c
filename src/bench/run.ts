/**
 * The `headroom bench` engine: plan, then run each benchmark in a fresh process, and return a typed report.
 * It never prints; progress goes to the `onProgress` callback.
 */
import { fingerprint, gitInfo } from './environment.js';
import type { MeasureSettings } from './measure.js';
import { type PlannedBench, planBenchmarks, type Selection } from './plan.js';
import { measureInChild, pinnedCpu } from './sampling.js';
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
}

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
    const outcome = await measureInChild(bench, settings, { cwd: options.cwd, env: options.env });
    if (options.signal?.aborted) break;
    if (outcome.ok) {
      const result = summarise(bench, [outcome.measurement]);
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
