/**
 * Messages between the runner and a benchmark process, over the IPC channel (so the benchmark's own stdout cannot
 * corrupt them). A `serve` process loads one benchmark, calibrates and warms it, then takes samples on request —
 * which lets the runner interleave the samples of two processes (base and head) in lockstep.
 */
import type { ClockKind } from './clock.js';

/** What a benchmark process is asked to do (passed as one JSON argv). */
export type ChildRequest =
  | { mode: 'list'; file: string }
  /** `n` fixes the batch size (skipping calibration) so paired processes time identical batches. */
  | { mode: 'serve'; file: string; name: string; timeMs: number; clock: ClockKind; n?: number };

/** Commands to a serving process. */
export type ChildCommand = { cmd: 'sample'; count: number } | { cmd: 'finish' };

/** A benchmark as listed by its file. */
export interface ListedBench {
  name: string;
  tags: string[];
}

/** What a benchmark process answers. */
export type ChildReply =
  | { type: 'list'; benches: ListedBench[] }
  | { type: 'ready'; n: number }
  | { type: 'samples'; nsPerOp: number[] }
  | { type: 'finished'; heapBytesPerOp: number | null; heapSamples: number[] }
  | { type: 'error'; phase: 'load' | 'run'; error: string };
