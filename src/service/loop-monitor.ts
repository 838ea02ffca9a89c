/**
 * Watches the event loop: the recent mean delay (what the overload guard sheds on) and blocks longer than
 * `BLOCK_WARN_MS` (Go's block profile analogue, reported as a warning with the blocked duration).
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/** Options for {@link LoopMonitor}. */
export interface LoopMonitorOptions {
  /** How often the window closes (ms); default 100. */
  intervalMs?: number;
  /** Report blocks longer than this (ms); 0 = never. */
  blockWarnMs: number;
  /** Called with the longest block of a window when it exceeds `blockWarnMs`. */
  onBlock: (blockedMs: number) => void;
}

/**
 * Samples event-loop delay in windows. `delayMs` is the lower of the last two windows' delays, so one long block
 * (a GC, a big JSON.parse) does not make the next window shed everything: only lag that lasts does. Timers are
 * unref'd.
 */
export class LoopMonitor {
  /** Event-loop delay (ms) sustained over the last two windows: 0 on an idle, healthy loop. */
  delayMs = 0;
  /** The longest stall (ms) of the last window. */
  longestMs = 0;
  #previous = 0;
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #timer: NodeJS.Timeout;
  #last = performance.now();

  constructor(options: LoopMonitorOptions) {
    const intervalMs = options.intervalMs ?? 100;
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const drift = Math.max(0, now - this.#last - intervalMs);
      this.#last = now;
      const h = this.#histogram;
      const mean = h.count > 0 ? Math.max(0, h.mean / 1e6 - RESOLUTION_MS) : 0;
      const longest = Math.max(drift, h.count > 0 ? h.max / 1e6 - RESOLUTION_MS : 0);
      const delay = Math.max(mean, drift);
      this.delayMs = Math.min(delay, this.#previous);
      this.#previous = delay;
      this.longestMs = longest;
      h.reset();
      if (options.blockWarnMs > 0 && longest > options.blockWarnMs) options.onBlock(longest);
    }, intervalMs).unref();
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
