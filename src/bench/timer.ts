/**
 * The `b` handed to Go-style benchmarks: `b.N` plus a clock the benchmark can reset, stop and start. Like Go's,
 * the clock also counts heap growth only while it runs, so setup before `b.resetTimer()` is not charged per op.
 */
import type { Clock } from './clock.js';
import type { B } from './types.js';

const heapUsed = (): number => process.memoryUsage().heapUsed;

/** A batch's clock; `finish()` stops it and returns what it measured. */
export class BatchTimer implements B {
  private started = 0n;
  private total = 0n;
  private heapStart = 0;
  private heapTotal = 0;
  private running = false;

  /** @param trackHeap also account heapUsed growth while running (the heap pass only; it costs a syscall-free read). */
  constructor(
    readonly N: number,
    private readonly now: Clock,
    private readonly trackHeap = false,
  ) {}

  /** Starts the batch from zero. */
  begin(): void {
    this.total = 0n;
    this.heapTotal = 0;
    this.startTimer();
  }

  resetTimer(): void {
    this.total = 0n;
    this.heapTotal = 0;
    if (this.running) {
      if (this.trackHeap) this.heapStart = heapUsed();
      this.started = this.now();
    }
  }

  stopTimer(): void {
    if (!this.running) return;
    this.total += this.now() - this.started;
    if (this.trackHeap) this.heapTotal += heapUsed() - this.heapStart;
    this.running = false;
  }

  startTimer(): void {
    if (this.running) return;
    this.running = true;
    if (this.trackHeap) this.heapStart = heapUsed();
    this.started = this.now();
  }

  /** Stops the clock; returns nanoseconds and heap bytes measured while it ran. */
  finish(): { ns: number; heapBytes: number } {
    this.stopTimer();
    return { ns: Number(this.total), heapBytes: this.heapTotal };
  }
}
