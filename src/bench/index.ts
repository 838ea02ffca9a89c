/**
 * `headroom-kit/bench`: micro-benchmarks with Go's ergonomics and an honest regression gate.
 * Benchmark files call `bench()`; `runBenchmarks` runs them (each in a fresh process), `compareReports` judges two
 * runs (Mann-Whitney U, Holm, Hodges-Lehmann), `runAb` measures a base git ref against the working tree in one job.
 */

export {
  ExitCode,
  isUsageError,
  UsageError,
  type UsageErrorCode,
  type UsageErrorOptions,
} from '../errors.js';
export { MissingDependencyError } from '../optional-dependency.js';
export { type AbOptions, type AbResult, runAb } from './ab/index.js';
export type { ClockKind } from './clock.js';
export {
  type BenchComparison,
  type CompareOptions,
  type CompareResult,
  compareReports,
  type HeapVerdict,
  type TimeVerdict,
} from './compare.js';
export type { MeasureSettings } from './measure.js';
export type { PlannedBench, Selection } from './plan.js';
export { bench } from './registry.js';
export { renderCompare } from './render/compare-table.js';
export { goName, renderGoFormat } from './render/go-format.js';
export { renderRunTable } from './render/run-table.js';
export { historyPath, readReport, writeReport } from './report-file.js';
export { type BenchProgress, type RunOptions, runBenchmarks } from './run.js';
export * as statistics from './statistics/index.js';
export type {
  B,
  BenchFn,
  BenchmarkFailure,
  BenchmarkResult,
  BenchOptions,
  BenchReport,
  EnvironmentFingerprint,
  MedianInterval,
} from './types.js';
