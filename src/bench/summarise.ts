/**
 * Turns raw measurements of a benchmark (one or more processes' worth) into its `headroom.bench/v1` entry.
 */
import type { Measurement } from './measure.js';
import type { PlannedBench } from './plan.js';
import { median, medianInterval } from './statistics/index.js';
import type { BenchmarkResult } from './types.js';

/**
 * Merges the measurements of one benchmark: samples concatenated (with the process each came from, when several
 * took samples), heap B/op the median across processes, and each process's heap batches kept apart (processes with
 * none are left out).
 */
export function summarise(planned: PlannedBench, measurements: readonly Measurement[]): BenchmarkResult {
  const samples = measurements.flatMap((m) => m.samples);
  const iterations = measurements.flatMap((m) => m.iterations);
  const timed = measurements.filter((m) => m.samples.length > 0);
  const processIndex = timed.length > 1 ? timed.flatMap((m, i) => m.samples.map(() => i)) : undefined;
  const heaps = measurements.map((m) => m.heapBytesPerOp).filter((value): value is number => value !== null);
  const interval = medianInterval(samples);
  return {
    name: planned.name,
    file: planned.file,
    tags: planned.tags,
    samples,
    iterations,
    ...(processIndex ? { processIndex } : {}),
    heapBytesPerOp: heaps.length > 0 ? median(heaps) : null,
    heapSamples: measurements.map((m) => m.heapSamples).filter((values) => values.length > 0),
    summary: { ...interval, opsPerSec: interval.median > 0 ? 1e9 / interval.median : 0 },
  };
}
