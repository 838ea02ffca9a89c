/**
 * Measures one registered benchmark inside its own process. `prepare` runs setup and calibrates N (Go's rule: grow
 * N until one batch lasts at least the target time; the calibration batches are the warm-up) plus one discarded
 * batch; `sample` times batches of N; `finish` measures heap bytes per op — the heapUsed delta over a batch taken
 * after a full GC and one uncounted batch (needs `--expose-gc`), minus a batch's fixed cost, in HEAP_BATCHES batches
 * no collection interrupted, each kept as a sample so `compare` can judge B/op against its noise — then runs
 * teardown.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { type Clock, type ClockKind, clockOf } from './clock.js';
import { median } from './statistics/index.js';
import { BatchTimer } from './timer.js';
import type { RegisteredBench } from './types.js';

/** What to measure. */
export interface MeasureSettings {
  /** Minimum duration of one timed batch, in milliseconds. */
  timeMs: number;
  /** Timed batches to take. */
  count: number;
  /** Clock timing the batches (default `wall`). */
  clock?: ClockKind;
  /**
   * Confine the benchmark processes to one CPU where the OS allows (default true: the last CPU this process may
   * use, see cpu-pin.ts); a number: that CPU.
   */
  pin?: boolean | number;
}

/** Raw measurements of one benchmark in one process. */
export interface Measurement {
  /** ns/op per batch. */
  samples: number[];
  /** N of each batch. */
  iterations: number[];
  /** Median of `heapSamples`; null without gc or when no clean batch could be taken. */
  heapBytesPerOp: number | null;
  /** B/op of each clean heap batch (empty when `heapBytesPerOp` is null). */
  heapSamples: number[];
}

/** What the heap pass of one process found. */
export interface HeapMeasurement {
  /** Median of `samples`, or null when there are none. */
  bytesPerOp: number | null;
  /** B/op of each clean batch. */
  samples: number[];
}

const MAX_N = 1_000_000_000;
const HEAP_BATCH_BYTES = 256 * 1024;
const HEAP_BATCHES = 7;
const OVERHEAD_BATCHES = 5;

/** Results land here so the optimiser cannot drop the benchmarked call as dead code. */
export const sink: { value: unknown } = { value: undefined };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Runs a batch of n operations; returns nanoseconds and (when asked) heap growth while timed. */
type Batch = (n: number, trackHeap?: boolean) => Promise<{ ns: number; heapBytes: number }>;

async function makeBatch(entry: RegisteredBench, now: Clock): Promise<Batch> {
  const fn = entry.fn;
  if (fn.length >= 1) {
    const goStyle = fn as (b: BatchTimer) => unknown;
    return async (n, trackHeap = false) => {
      const timer = new BatchTimer(n, now, trackHeap);
      timer.begin();
      const out = goStyle(timer);
      if (isThenable(out)) await out;
      return timer.finish();
    };
  }
  const plain = fn as () => unknown;
  // One call tells sync from async (it also counts as warm-up).
  const first = plain();
  const loop = isThenable(first)
    ? async (n: number) => {
        for (let i = 0; i < n; i++) sink.value = await plain();
      }
    : async (n: number) => {
        for (let i = 0; i < n; i++) sink.value = plain();
      };
  if (isThenable(first)) await first;
  return async (n, trackHeap = false) => {
    const heapStart = trackHeap ? process.memoryUsage().heapUsed : 0;
    const start = now();
    await loop(n);
    const ns = Number(now() - start);
    return { ns, heapBytes: trackHeap ? process.memoryUsage().heapUsed - heapStart : 0 };
  };
}

/**
 * Go's calibration: grow N until one batch lasts `targetNs`. A batch that reaches it is confirmed by a second one
 * of the same N, because something else can make one batch look long — a descheduling, a GC, or (with the `cpu`
 * clock, which counts every thread) JIT compilation right after start-up. Unconfirmed, that once ended calibration
 * at N = 1: every sample was then a few microseconds of work read from a microsecond clock.
 */
async function calibrate(batch: Batch, targetNs: number): Promise<number> {
  let n = 1;
  for (;;) {
    let { ns } = await batch(n);
    if (ns >= targetNs && n < MAX_N) ns = Math.min(ns, (await batch(n)).ns);
    if (ns >= targetNs || n >= MAX_N) return n;
    const perOp = Math.max(ns / n, 1);
    const predicted = Math.ceil((targetNs * 1.2) / perOp);
    n = Math.min(MAX_N, Math.max(n + 1, Math.min(predicted, n * 100)));
  }
}

/** Counts garbage collections V8 ran by itself (not our forced `gc()`), to reject heap batches they disturbed. */
function collectionCounter(): { count(): Promise<number>; stop(): void } {
  let seen = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const flags = (entry as { detail?: { flags?: number } }).detail?.flags ?? 0;
      if ((flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) === 0) seen++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async count() {
      // GC entries are delivered asynchronously: let them arrive.
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      return seen;
    },
    stop: () => observer.disconnect(),
  };
}

/**
 * Heap bytes per op from batches during which no collection ran (a scavenge would free garbage and hide it). The
 * batch starts at one op and doubles up to about HEAP_BATCH_BYTES of allocation; a disturbed batch is halved and
 * retried. No samples when gc is not exposed or no clean batch could be taken.
 */
async function measureHeap(batch: Batch, n: number): Promise<HeapMeasurement> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return { bytesPerOp: null, samples: [] };
  const collections = collectionCounter();
  try {
    /**
     * heapUsed growth over a batch of `ops`, or null when a collection ran during it or heapUsed fell: no batch
     * allocates less than nothing. On Node 24, heapUsed read across an empty batch soon after `gc()` fell by
     * 140–530 KB in ≈ 3% of processes while every heap space's used size grew; taken as the fixed cost, that
     * reading was added back to every batch of the process, which then read 3–10× its true B/op.
     */
    const undisturbed = async (ops: number): Promise<number | null> => {
      const before = await collections.count();
      const { heapBytes } = await batch(ops, true);
      return (await collections.count()) === before && heapBytes >= 0 ? heapBytes : null;
    };
    // The fixed cost of a batch (its promise, the heap reading itself), subtracted so a free op reads 0 B/op. The
    // least of several empty batches: one can catch V8 opening a fresh allocation buffer (a JIT job finishing),
    // which once inflated the overhead by ≈ 115 KB — and every batch of that process read ≈ 14 KB/op low.
    gc();
    const empty: number[] = [];
    for (let i = 0; i < OVERHEAD_BATCHES; i++) {
      const bytes = await undisturbed(0);
      if (bytes !== null) empty.push(bytes);
    }
    const overhead = empty.length > 0 ? Math.min(...empty) : 0;
    // The batch size: doubled from one op until a batch allocates HEAP_BATCH_BYTES (or reaches N), or a collection
    // interrupts one. No collection between these steps: they only size the batch, and collections cost more.
    let ops = 1;
    for (;;) {
      const bytes = await undisturbed(ops);
      if (bytes === null || ops >= n || bytes - overhead >= HEAP_BATCH_BYTES) break;
      ops = Math.min(n, ops * 2);
    }
    /** A measured batch: a full collection, then one uncounted batch, then the batch counted. */
    const clean = async (): Promise<number | null> => {
      gc();
      // The uncounted batch: a full collection drops the optimised code of short-lived closures (a comparator
      // passed to sort) and the allocation buffers of old and code space, so the first ops after it re-optimise
      // and open fresh buffers — heapUsed then jumps by up to a page, which read as +30–60% B/op in some batches.
      await batch(ops);
      return undisturbed(ops);
    };
    const values: number[] = [];
    for (let attempt = 0; values.length < HEAP_BATCHES && attempt < 4 * HEAP_BATCHES; attempt++) {
      const bytes = await clean();
      if (bytes === null) ops = Math.max(1, ops >> 1);
      else values.push(Math.max(0, (bytes - overhead) / ops));
    }
    return { bytesPerOp: values.length > 0 ? median(values) : null, samples: values };
  } finally {
    collections.stop();
  }
}

/** A benchmark set up, calibrated and warm, ready to be sampled. */
export interface PreparedBench {
  /** Batch size of every sample. */
  n: number;
  /** Times `count` batches of N; ns/op each. */
  sample(count: number): Promise<number[]>;
  /** Measures heap B/op, then runs teardown. */
  finish(): Promise<HeapMeasurement>;
}

/** Runs setup, then calibrates (unless `fixedN` is given) and warms up. Teardown runs on failure or in `finish`. */
export async function prepare(
  entry: RegisteredBench,
  timeMs: number,
  clock: ClockKind = 'wall',
  fixedN?: number,
): Promise<PreparedBench> {
  await entry.options.setup?.();
  try {
    const batch = await makeBatch(entry, clockOf(clock));
    const n = fixedN ?? (await calibrate(batch, timeMs * 1e6));
    await batch(n);
    return {
      n,
      async sample(count) {
        const out: number[] = [];
        for (let i = 0; i < count; i++) out.push((await batch(n)).ns / n);
        return out;
      },
      async finish() {
        try {
          return await measureHeap(batch, n);
        } finally {
          sink.value = undefined;
          await entry.options.teardown?.();
        }
      },
    };
  } catch (error) {
    await entry.options.teardown?.();
    throw error;
  }
}
