/**
 * The typed contract of `headroom bench`: what a benchmark file registers, what a run produces
 * (`headroom.bench/v1`), and what a comparison concludes. Fields may be added, never renamed.
 */

/**
 * The handle a Go-style benchmark receives. Run the measured code `b.N` times; the runner picks `N` so one
 * batch lasts at least `--time`.
 * @example bench('parse', (b) => { const s = setup(); b.resetTimer(); for (let i = 0; i < b.N; i++) parse(s); });
 */
export interface B {
  /** How many times to run the measured code in this batch. */
  readonly N: number;
  /** Forgets the time (and start point) measured so far in this batch: call it after expensive setup. */
  resetTimer(): void;
  /** Pauses the clock (e.g. around per-iteration setup that should not count). */
  stopTimer(): void;
  /** Resumes the clock after `stopTimer()`. */
  startTimer(): void;
}

/** A benchmark body: `() => work` (run N times by the runner) or Go-style `(b) => { for (…b.N…) work }`. */
export type BenchFn = (() => unknown) | ((b: B) => unknown);

/** Options for one benchmark. */
export interface BenchOptions {
  /** Tags such as `integration`: tagged benchmarks run only when `--tags` names one of their tags. */
  tags?: string[];
  /** Runs once in the child before warm-up (not measured). May be async. */
  setup?: () => unknown;
  /** Runs once in the child after the last sample (not measured). May be async. */
  teardown?: () => unknown;
}

/** A benchmark as registered by `bench()`. */
export interface RegisteredBench {
  name: string;
  fn: BenchFn;
  options: BenchOptions;
}

/** The environment a run measured on; timings are only comparable between equal fingerprints. */
export interface EnvironmentFingerprint {
  /** `process.version` of the benchmark processes. */
  node: string;
  /** V8 version. */
  v8: string;
  /** Flags the benchmark processes ran with (`--expose-gc`, NODE_OPTIONS), without paths. */
  v8Flags: string[];
  /** CPU model as the OS names it. */
  cpu: string;
  /** Logical CPUs (the `-N` suffix of Go-format names). */
  cpus: number;
  /** `linux x64 6.1.0-…` */
  os: string;
}

/** A 95% (or as close as the sample allows) distribution-free interval for the median. */
export interface MedianInterval {
  /** Median of the samples. */
  median: number;
  /** Lower bound (an order statistic). */
  low: number;
  /** Upper bound (an order statistic). */
  high: number;
  /** The exact coverage of [low, high] (binomial order statistics), e.g. 0.979 for n = 10. */
  confidence: number;
}

/** One benchmark's measurements. */
export interface BenchmarkResult {
  /** Registered name, e.g. `context/withCancel`. */
  name: string;
  /** The file that registered it, relative to the working directory. */
  file: string;
  tags: string[];
  /** Nanoseconds per operation, one per sample (each sample is one timed batch). */
  samples: number[];
  /** Operations in each sample's batch (parallel to `samples`). */
  iterations: number[];
  /**
   * Which process took each sample (parallel to `samples`), numbered in the order they ran — in `bench ab`, the
   * round. Absent when one process took them all (and in reports written before it was recorded).
   */
  processIndex?: number[];
  /**
   * Heap bytes allocated per operation (heapUsed delta over a batch after a full GC): the median across processes of
   * each process's median batch; null without gc.
   */
  heapBytesPerOp: number | null;
  /**
   * B/op of every clean heap batch, one array per process that measured it (absent in reports written before they
   * were recorded): `compare` judges heap changes against their spread.
   */
  heapSamples?: number[][];
  /** Median ns/op with its interval. */
  summary: MedianInterval & { opsPerSec: number };
}

/** A failed benchmark: it threw, or its process died. */
export interface BenchmarkFailure {
  name: string;
  file: string;
  error: string;
}

/** The result of `headroom bench`: `headroom.bench/v1`. */
export interface BenchReport {
  schema: 'headroom.bench/v1';
  /** ISO time the run started. */
  createdAt: string;
  /** Git commit of the working directory, when it is a repository. */
  git: { sha: string; dirty: boolean } | null;
  environment: EnvironmentFingerprint;
  /**
   * How it was measured; `clock` is `wall` (elapsed) or `cpu` (process CPU time); `pinnedCpu` the CPU the benchmark
   * processes were confined to (null: not pinned).
   */
  settings: { timeMs: number; count: number; clock: 'wall' | 'cpu'; pinnedCpu: number | null };
  benchmarks: BenchmarkResult[];
  failures: BenchmarkFailure[];
}
